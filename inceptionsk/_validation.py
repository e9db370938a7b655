"""Input validation: series X as float (n_cases, n_channels, n_timepoints), targets, weights.

X follows the convention of aeon, sktime and tsai: ``(n_cases, n_channels,
n_timepoints)``; a 2D array ``(n_cases, n_timepoints)`` is one channel; series of unequal
lengths come as a sequence of 2D arrays ``(n_channels, n_timepoints_i)``. Every public
method of an estimator validates X once, here, and passes the validated array (and the
real lengths of padded series) on; ensemble members receive them as they are.

At fit an estimator records what it saw (:func:`validate_series` with ``reset=True``):
``n_features_in_`` in scikit-learn's sense (``X.shape[1]`` as passed), ``n_channels_in_``,
``n_timepoints_in_`` and ``feature_names_in_``; every later X is checked against it, with
messages that name both counts. Each condition is checked directly on the data, never by
reading the text of an error raised by numpy or scikit-learn.
"""

import numpy as np
import scipy.sparse
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.validation import check_array, column_or_1d, validate_data
from skorch.callbacks import Callback

__all__ = [
    "check_callbacks", "check_classes", "check_trainable", "copy_layout", "validate_sample_weight",
    "validate_series", "validate_target",
]

#: What an estimator records of the X it was fitted on (feature_names_in_ too, when any).
LAYOUT_ATTRIBUTES = (
    "n_features_in_", "n_channels_in_", "n_timepoints_in_", "feature_names_in_",
    "_fitted_ndim", "_fitted_unequal_length",
)

SHAPE_ADVICE = (
    "X must have 3 dimensions (n_cases, n_channels, n_timepoints), or 2 (n_cases, "
    "n_timepoints) for one channel"
)


def validate_series(estimator, X, *, reset, dtype=np.float32, allow_nan=False,
                    allow_unequal=True):
    """Validate X and return it as a C-contiguous float array of shape (n, c, t), with lengths.

    Parameters
    ----------
    estimator : estimator instance
        The estimator whose fitted layout is recorded (``reset=True``) or checked
        (``reset=False``, when it has one: a stateless transformer may transform without
        fit).
    X : array-like of shape (n_cases, n_channels, n_timepoints) or (n_cases, n_timepoints), \
or sequence of arrays of shape (n_channels, n_timepoints_i)
        The series.
    reset : bool
        Whether this is ``fit``.
    dtype : dtype or tuple of dtypes, default=np.float32
        The dtype of the result; with a tuple, X keeps its dtype when it is one of them
        and takes the first otherwise. The networks compute in float32.
    allow_nan : bool, default=False
        Whether NaN may pass (for :class:`~inceptionsk.SeriesImputer`). Infinite values
        and values beyond the range of ``dtype`` never do.
    allow_unequal : bool, default=True
        Whether series of unequal lengths are accepted (zero-padded to the longest).

    Returns
    -------
    X : ndarray of shape (n_cases, n_channels, n_timepoints)
    lengths : ndarray of shape (n_cases,) or None
        The real length of each series when they differ; None otherwise.
    """
    # scikit-learn's own checks of column names (pandas input), nothing else
    validate_data(estimator, X, reset=reset, skip_check_array=True, ensure_2d=False)
    if allow_unequal and _is_sequence_of_cases(X):
        X, lengths, ndim = *_pad_cases(X, dtype, allow_nan), 3
        if (lengths == lengths[0]).all():  # an object array of equal-length cases
            lengths = None
    else:
        X, ndim, lengths = *_as_series_array(X, dtype, allow_nan), None
    if reset:
        estimator.n_features_in_ = X.shape[1] if ndim == 3 else X.shape[2]
        estimator.n_channels_in_ = X.shape[1]
        estimator.n_timepoints_in_ = X.shape[2]
        estimator._fitted_ndim = ndim
        estimator._fitted_unequal_length = lengths is not None
    elif hasattr(estimator, "n_channels_in_"):
        _check_fitted_layout(estimator, X, ndim, lengths)
    return X, lengths


def copy_layout(source, target):
    """Give ``target`` (an ensemble member) the fitted layout that ``source`` recorded."""
    for name in LAYOUT_ATTRIBUTES:
        if hasattr(source, name):
            setattr(target, name, getattr(source, name))


def _check_fitted_layout(estimator, X, ndim, lengths):
    name = type(estimator).__name__
    n_channels, n_timepoints = X.shape[1], X.shape[2]
    if n_channels != estimator.n_channels_in_:
        raise ValueError(
            f"X has {n_channels} channels, but {name} was fitted on "
            f"{estimator.n_channels_in_} channels (X of shape {X.shape}). Pass X with the "
            "channels it was fitted on, in the same order."
        )
    if estimator._fitted_unequal_length:
        return  # fitted on series of unequal lengths: scores any length
    if lengths is not None:
        raise ValueError(
            f"X holds series of unequal lengths ({lengths.min()} to {lengths.max()} time "
            f"points), but {name} was fitted on series of {estimator.n_timepoints_in_} "
            "time points. Resample them to that length, or fit on series of unequal "
            "lengths to score them."
        )
    if n_timepoints != estimator.n_timepoints_in_:
        # for 2D X the time points are scikit-learn's features: its wording first
        prefix = (
            f"X has {n_timepoints} features, but {name} is expecting "
            f"{estimator.n_timepoints_in_} features as input: "
        ) if ndim == 2 and estimator._fitted_ndim == 2 else ""
        raise ValueError(
            f"{prefix}the series have {n_timepoints} time points, but {name} was "
            f"fitted on series of {estimator.n_timepoints_in_} time points. Resample or "
            "crop the series to the fitted length."
        )


def _target_dtype(dtype, source):
    """The dtype to convert to: ``source`` when it is among the accepted ``dtype``."""
    accepted = [np.dtype(d) for d in (dtype if isinstance(dtype, tuple) else (dtype,))]
    return source if source in accepted else accepted[0]


def _as_numeric(X):
    """X as a numeric ndarray (bool, int, unsigned or float), or a clear error."""
    if isinstance(X, (str, bytes)) or np.isscalar(X) or X is None:
        raise TypeError(f"{SHAPE_ADVICE}, got {type(X).__name__}. Pass an array-like of series.")
    if scipy.sparse.issparse(X):
        raise TypeError(
            f"X is a sparse {type(X).__name__}, but InceptionTime needs dense series: "
            "pass X.toarray()."
        )
    try:
        array = np.asarray(X)
    except ValueError as exc:  # nested sequences of different shapes
        raise ValueError(
            f"X cannot be read as an array of series ({exc}). Series of unequal lengths go "
            "in a list of 2D arrays (n_channels, n_timepoints_i), one per case, with the "
            "same channels."
        ) from exc
    if array.dtype.kind == "c":
        raise ValueError(
            "Complex data not supported: InceptionTime needs real values. Pass the real "
            "part, the magnitude, or the real and imaginary parts as two channels."
        )
    if array.dtype.kind not in "biuf":  # object or text that may hold numbers
        try:
            array = array.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"X must hold real numbers ({exc}). Encode text or categories as numbers "
                "before fitting."
            ) from exc
    return array


def _check_shape(array):
    """Refuse X that is not 2D or 3D, or holds no case, channel or time point."""
    if array.size == 0:
        counts = [f"{array.shape[0]} sample(s)"] if array.shape[0] == 0 else []
        if array.ndim == 2 and array.shape[1] == 0:
            counts.append("0 feature(s)")
        # in scikit-learn's wording, which its estimator checks look for
        found = " and ".join(counts)
        found = f"found {found} (shape={array.shape}) while a minimum of 1 is required. " if (
            found) else ""
        raise ValueError(
            f"X of shape {array.shape} is empty: {found}It needs at least one case, one "
            "channel and one time point (two cases to fit)."
        )
    if array.ndim not in (2, 3):
        hint = (
            "Reshape your data with X.reshape(1, -1) if it holds a single series."
            if array.ndim == 1 else "Reshape your data to 3 dimensions."
        )
        raise ValueError(f"{SHAPE_ADVICE}; got {array.ndim}D X of shape {array.shape}. {hint}")


def _convert(array, dtype, allow_nan):
    """``array`` in the dtype the caller asked for, after the finiteness checks."""
    with np.errstate(over="ignore"):  # values beyond float32: reported by _check_finite
        converted = array.astype(_target_dtype(dtype, array.dtype), copy=False)
    _check_finite(converted, array, allow_nan)
    return converted


def _as_series_array(X, dtype, allow_nan):
    """Convert an array-like to a float ndarray (n, c, t) and its original ndim, or raise."""
    array = _as_numeric(X)
    _check_shape(array)
    ndim = array.ndim
    X = _convert(array, dtype, allow_nan)
    return np.ascontiguousarray(X[:, np.newaxis, :] if ndim == 2 else X), ndim


def _position(mask):
    """'case i, channel c, time point t' of the first True of a 2D or 3D mask."""
    index = np.unravel_index(np.argmax(mask), mask.shape)
    names = ("case", "channel", "time point") if mask.ndim == 3 else ("case", "time point")
    return ", ".join(f"{name} {int(i)}" for name, i in zip(names, index, strict=True))


def trailing_nan_lengths(nan):
    """Length of each series once the time steps that are NaN in every channel at its
    end are dropped, from the NaN mask ``(n_cases, n_channels, n_timepoints)`` of X: an
    int array of shape (n_cases,)."""
    present = ~nan.all(axis=1)  # (n_cases, n_timepoints): some channel has a value
    # steps after the last present one, counted from the end
    trailing = np.argmax(present[:, ::-1], axis=1)
    return np.where(present.any(axis=1), nan.shape[-1] - trailing, 0)


def _only_trailing(nan):
    """Whether the NaN of a 3D mask are exactly the time steps after each series' end
    (NaN in every channel, with no value after them)."""
    if nan.ndim != 3:
        return False
    lengths = trailing_nan_lengths(nan)
    padding = np.arange(nan.shape[-1]) >= lengths[:, np.newaxis]
    return bool(np.array_equal(nan, np.broadcast_to(padding[:, np.newaxis, :], nan.shape)))


def _check_finite(X, original, allow_nan):
    """Raise a ValueError that counts and locates NaN, infinite or too large values.

    ``X`` is the converted array; ``original`` the values before the conversion, which
    tell a value beyond the range of X's dtype from an infinity.
    """
    # A sum is finite exactly when every value is (or their sum overflows float64, which
    # float32 values cannot): one pass without a mask the size of X in the common case.
    with np.errstate(over="ignore", invalid="ignore"):  # inf + -inf, inf - inf
        if np.isfinite(np.sum(X, dtype=np.float64)):
            return
    nan = np.isnan(X)
    if nan.any() and not allow_nan:
        message = (
            f"X contains {np.count_nonzero(nan)} NaN value(s) (first at {_position(nan)}). "
            "InceptionTime cannot train or predict on missing values: fill them first, "
            "e.g. with inceptionsk.SeriesImputer in a Pipeline before this estimator."
        )
        if _only_trailing(nan):
            message += (
                " Here the NaN only pad the ends of series, the UCR archive's layout of "
                "series of unequal length: inceptionsk.datasets.trim_trailing_nan(X) "
                "turns them into the list of series of their own lengths that the "
                "estimators take."
            )
        raise ValueError(message)
    infinite = np.isinf(X)
    if not infinite.any():
        return
    overflow = infinite & np.isfinite(original)
    if overflow.any():
        first = original[np.unravel_index(np.argmax(overflow), X.shape)]
        raise ValueError(
            f"X contains {np.count_nonzero(overflow)} value(s) too large for {X.dtype}, in "
            f"which the networks compute (|x| > {np.finfo(X.dtype).max:.3g}; the first, "
            f"{first:.3g}, at {_position(overflow)}). Scale X down, e.g. with "
            "inceptionsk.SeriesStandardScaler in a Pipeline before this estimator."
        )
    raise ValueError(
        f"X contains {np.count_nonzero(infinite)} infinite value(s) (first at "
        f"{_position(infinite)}). Replace them with finite values, or with NaN and fill "
        "them with inceptionsk.SeriesImputer."
    )


def _is_sequence_of_cases(X):
    """Whether X is a sequence of per-case series to be padded: an object array of cases
    (as the ``.ts`` loaders give), or a list/tuple of series of unequal lengths.

    Equal-length lists take the array path.
    """
    if isinstance(X, np.ndarray):
        return X.dtype == object and X.ndim == 1 and len(X) > 0 and all(
            isinstance(case, (np.ndarray, list, tuple)) for case in X
        )
    if not isinstance(X, (list, tuple)):
        return False
    try:
        shapes = [np.shape(case) for case in X]
    except ValueError:  # a case that is itself ragged: the array path reports it
        return False
    if not shapes or any(len(shape) not in (1, 2) for shape in shapes):
        return False
    # cases of different lengths, or of different channels, which the padding path
    # reports by case
    return len(set(shapes)) > 1


def _pad_cases(X, dtype, allow_nan):
    """Validate each case (2D (n_channels, length) or 1D) and zero-pad them to one length.

    Returns the padded array ``(n_cases, n_channels, longest)`` and the lengths; values
    are checked in the padded layout, so that errors locate them by case, channel and
    time point.
    """
    cases = []
    for i, case in enumerate(X):
        try:
            case = _as_numeric(case)
            _check_shape(case[np.newaxis] if case.ndim == 1 else case)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"Case {i} of X: {exc}") from exc
        cases.append(np.atleast_2d(case))
    n_channels = [case.shape[0] for case in cases]
    if len(set(n_channels)) > 1:
        odd = next(i for i, n in enumerate(n_channels) if n != n_channels[0])
        raise ValueError(
            f"The cases of X have different numbers of channels: case 0 has "
            f"{n_channels[0]}, case {odd} has {n_channels[odd]}. Every case needs the same "
            "channels; only the lengths may differ."
        )
    lengths = np.array([case.shape[1] for case in cases], dtype=np.int64)
    padded = np.zeros((len(cases), n_channels[0], lengths.max()), dtype=np.result_type(*cases))
    for i, case in enumerate(cases):
        padded[i, :, : lengths[i]] = case
    return np.ascontiguousarray(_convert(padded, dtype, allow_nan)), lengths


def validate_target(y, n_cases, *, regression):
    """Validate y against the number of cases; return a 1D array (or 2D for regression).

    Parameters
    ----------
    y : array-like of shape (n_cases,) or, for regression, (n_cases, n_outputs)
    n_cases : int
        Number of cases in X.
    regression : bool
        Whether y holds real-valued targets.

    Returns
    -------
    y : ndarray
        For classification a 1D array of labels; for regression float32 of shape
        (n_cases, n_outputs).
    """
    if y is None:
        raise ValueError(
            "This estimator requires y to be passed, but the target y is None: pass the "
            "labels (or targets) of the cases in X."
        )
    if regression:
        _check_real_targets(y)
        try:
            with np.errstate(over="ignore"):  # reported below as a value beyond float32
                y = check_array(y, dtype=np.float32, ensure_2d=False, input_name="y",
                                ensure_all_finite=False)
        except TypeError as exc:
            raise TypeError(f"y must hold real-valued targets ({exc}).") from exc
        missing = ~np.isfinite(y)
        if missing.any():
            raise ValueError(
                f"y contains {np.count_nonzero(missing)} NaN, infinite or too large "
                f"(|y| > {np.finfo(np.float32).max:.3g}) target(s) (first at case "
                f"{np.unravel_index(np.argmax(missing), y.shape)[0]}); drop those cases or "
                "give them a finite target."
            )
        if y.ndim == 1:
            y = y[:, np.newaxis]
        elif y.ndim != 2:
            raise ValueError(f"y must be 1D or 2D (n_cases, n_outputs), got shape {y.shape}.")
    else:
        y = column_or_1d(np.asarray(y), warn=True)
        if y.dtype.kind == "f" and not np.isfinite(y).all():
            missing = ~np.isfinite(y)
            raise ValueError(
                f"y contains {np.count_nonzero(missing)} NaN or infinite label(s) (first at "
                f"case {np.argmax(missing)}); drop those cases or give them a label."
            )
        if y.dtype == object:
            missing = np.array([label is None for label in y])
            if missing.any():
                raise ValueError(
                    f"y contains {np.count_nonzero(missing)} None label(s) (first at case "
                    f"{np.argmax(missing)}); drop those cases or give them a label."
                )
            try:
                np.unique(y)
            except TypeError as exc:
                kinds = sorted({type(label).__name__ for label in y})
                raise TypeError(
                    f"y mixes labels of types {', '.join(kinds)} that cannot be sorted "
                    f"({exc}). Use labels of one type, e.g. np.asarray(y).astype(str)."
                ) from exc
    if len(y) != n_cases:
        raise ValueError(
            f"X and y have inconsistent numbers of cases: X has {n_cases}, y has {len(y)}. "
            "Pass one label (or target) per case of X."
        )
    return y


def _check_real_targets(y):
    """Refuse a regression target of text that does not read as numbers."""
    try:
        values = np.asarray(y)
    except ValueError:  # ragged: check_array's own error says so
        return
    if values.dtype.kind in "USO":
        try:
            values.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"y must hold real-valued targets for a regressor ({exc}). For labels, "
                "use a classifier; otherwise encode the targets as numbers."
            ) from exc


def validate_sample_weight(sample_weight, n_cases):
    """Validate per-case weights: None, or a float32 array of ``n_cases`` finite,
    non-negative weights that are not all zero.

    Equal weights, which weigh every case alike, come back as None: the loss is then the
    plain mean, bit for bit.
    """
    if sample_weight is None:
        return None
    try:
        weights = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"sample_weight must hold numbers ({exc}).") from exc
    if weights.ndim == 0:
        weights = np.full(n_cases, weights.item())
    if weights.shape != (n_cases,):
        raise ValueError(
            f"sample_weight has shape {weights.shape}, but X has {n_cases} cases: pass "
            "one weight per case, in a 1D array."
        )
    bad = ~np.isfinite(weights) | (weights < 0)
    if bad.any():
        raise ValueError(
            f"sample_weight holds {np.count_nonzero(bad)} negative, NaN or infinite "
            f"weight(s) (first at case {np.argmax(bad)}, {weights[np.argmax(bad)]}); "
            "weights must be finite and >= 0."
        )
    if not weights.any():
        raise ValueError("sample_weight is zero for every case: no case would count in the loss.")
    if (weights == weights[0]).all():
        return None
    return weights.astype(np.float32)


def check_trainable(estimator, X, lengths=None):
    """Raise a ValueError for training data that cannot train a network.

    Parameters
    ----------
    estimator : estimator instance
        Its ``batch_size`` and class name go into the checks and messages.
    X : ndarray of shape (n_cases, n_channels, n_timepoints)
        Validated training series.
    lengths : ndarray of shape (n_cases,) or None
        The real lengths of padded series of unequal lengths.
    """
    name = type(estimator).__name__
    if X.shape[0] < 2:
        raise ValueError(
            f"{name} needs at least 2 cases to train, got 1 sample. Batch normalisation "
            "learns from several cases: pass more training cases."
        )
    shortest = X.shape[-1] if lengths is None else int(lengths.min())
    if shortest == 1 and estimator.batch_size == 1:
        raise ValueError(
            f"{name} cannot train with batch_size=1 on series of 1 time point: batch "
            "normalisation needs more than one value per channel in a batch. Use "
            "batch_size >= 2."
        )


def check_classes(estimator, classes):
    """Raise a ValueError unless there are at least two classes to tell apart."""
    if len(classes) < 2:
        label = classes[0].item() if isinstance(classes[0], np.generic) else classes[0]
        raise ValueError(
            f"{type(estimator).__name__} needs at least 2 classes to train, but y has 1 "
            f"class ({label!r}). A classifier learns to tell classes apart: pass cases of "
            "two classes or more."
        )


def check_callbacks(estimator):
    """Raise an InvalidParameterError unless ``callbacks`` holds skorch callbacks.

    The ``callbacks`` constraint only says "a list"; skorch takes callback instances or
    classes, alone or as ``(name, callback)`` tuples, and fails on anything else with an
    AttributeError from inside its initialisation.
    """
    def is_callback(item):
        return isinstance(item, Callback) or (
            isinstance(item, type) and issubclass(item, Callback)
        )

    for index, item in enumerate(estimator.callbacks or []):
        named = isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)
        if not (is_callback(item[1]) if named else is_callback(item)):
            raise InvalidParameterError(
                f"The 'callbacks' parameter of {type(estimator).__name__} must be a list "
                "of skorch callbacks (skorch.callbacks.Callback instances or "
                f"(name, callback) tuples); item {index} is {item!r}."
            )
