"""Input validation for the estimators: time-series X as float32 3D, targets, fitted layout.

X follows the convention of aeon, sktime and tsai: ``(n_cases, n_channels,
n_timepoints)``; a 2D array ``(n_cases, n_timepoints)`` is one channel. The estimators
record at fit time what they saw (``n_features_in_`` in sklearn's sense, i.e.
``X.shape[1]`` as passed, plus ``n_channels_in_`` and ``n_timepoints_in_``) and every
predict method checks a new X against it, with messages that name both counts.
"""

import numpy as np
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.validation import _check_feature_names, check_array, column_or_1d
from skorch.callbacks import Callback

__all__ = [
    "as_cases", "check_callbacks", "check_classes", "check_trainable", "validate_series",
    "validate_series_lengths", "validate_target",
]


def _as_array(X, dtype, allow_nan):
    """Convert an array-like to a numeric float ndarray of 2 or 3 dims, or raise."""
    if isinstance(X, (str, bytes)) or np.isscalar(X):
        raise TypeError(
            f"X must be an array-like of shape (n_cases, n_channels, n_timepoints) or "
            f"(n_cases, n_timepoints), got a scalar {type(X).__name__}."
        )
    original = X
    try:
        # Finiteness is checked below, after the cast to float32, so that a value beyond
        # float32's range (1e39) is reported as such instead of as an infinity; numpy's
        # overflow warning on that cast would only repeat the error.
        with np.errstate(over="ignore"):
            X = check_array(
                X, dtype=dtype, allow_nd=True, ensure_2d=False,
                ensure_all_finite=False, ensure_min_samples=1, ensure_min_features=1,
            )
    except TypeError as exc:
        # keeps numpy's "float() argument must be a string or a real number" text
        raise TypeError(
            f"X must hold real numbers ({exc}). Encode text or categories as numbers "
            "before fitting."
        ) from exc
    except ValueError as exc:
        if "Complex data not supported" in str(exc):
            raise ValueError(
                "Complex data not supported: InceptionTime needs real values. Pass the real part, "
                "the magnitude, or the real and imaginary parts as two channels."
            ) from exc
        if "could not convert" in str(exc):
            raise TypeError(
                f"X must hold real numbers ({exc}). Encode text or categories as numbers "
                "before fitting."
            ) from exc
        if "while a minimum of" in str(exc):
            raise ValueError(
                f"X is empty: {exc} Pass at least one case with one channel of one time "
                "point (two cases to fit)."
            ) from exc
        raise
    if X.ndim not in (2, 3):
        hint = (
            "Reshape your data with X.reshape(1, -1) if it holds a single series."
            if X.ndim == 1 else "Reshape your data to 3 dimensions."
        )
        raise ValueError(
            f"X must have 3 dimensions (n_cases, n_channels, n_timepoints), or 2 "
            f"(n_cases, n_timepoints) for one channel; got {X.ndim}D X of shape "
            f"{X.shape}. {hint}"
        )
    if X.ndim == 3 and 0 in X.shape:
        raise ValueError(
            f"X of shape {X.shape} is empty: it needs at least one case, one channel and "
            "one time point."
        )
    _check_finite(X, original, allow_nan)
    return X


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
    """Raise a ValueError that counts and locates NaN, infinite or too large values."""
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
    # The cast to float32 turned finite values beyond its range into infinities.
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            before = np.asarray(original, dtype=np.float64).reshape(X.shape)
        except (TypeError, ValueError):
            before = X
    overflow = infinite & np.isfinite(before)
    if overflow.any():
        first = before[np.unravel_index(np.argmax(overflow), X.shape)]
        raise ValueError(
            f"X contains {np.count_nonzero(overflow)} value(s) too large for float32, in "
            f"which the networks compute (|x| > {np.finfo(np.float32).max:.3g}; the first, "
            f"{first:.3g}, at {_position(overflow)}). Scale X down, e.g. with "
            "inceptionsk.SeriesStandardScaler in a Pipeline before this estimator."
        )
    raise ValueError(
        f"X contains {np.count_nonzero(infinite)} infinite value(s) (first at "
        f"{_position(infinite)}). Replace them with finite values, or with NaN and fill "
        "them with inceptionsk.SeriesImputer."
    )


def validate_series(estimator, X, *, reset, dtype=np.float32, allow_nan=False):
    """Validate X and return it as a C-contiguous float array of shape (n, c, t).

    Parameters
    ----------
    estimator : estimator instance
        The estimator whose fitted layout is recorded (``reset=True``) or checked
        (``reset=False``).
    X : array-like of shape (n_cases, n_channels, n_timepoints) or (n_cases, n_timepoints)
        The series.
    reset : bool
        Whether this is ``fit``: record ``n_features_in_``, ``n_channels_in_``,
        ``n_timepoints_in_`` and ``feature_names_in_``. Otherwise check against them
        (when they exist: a stateless transformer may transform without fit).
    dtype : dtype or list of dtypes, default=np.float32
        Passed to :func:`~sklearn.utils.check_array`; the networks compute in float32.
    allow_nan : bool, default=False
        Whether NaN may pass (for :class:`~inceptionsk.SeriesImputer`). Infinite values
        and values beyond the range of ``dtype`` never do.

    Returns
    -------
    X : ndarray of shape (n_cases, n_channels, n_timepoints)
    """
    _check_feature_names(estimator, X, reset=reset)
    X = _as_array(X, dtype, allow_nan)
    name = type(estimator).__name__
    if reset:
        estimator.n_features_in_ = X.shape[1]
        estimator.n_channels_in_ = 1 if X.ndim == 2 else X.shape[1]
        estimator.n_timepoints_in_ = X.shape[-1]
        estimator._fitted_ndim = X.ndim
    n_channels = 1 if X.ndim == 2 else X.shape[1]
    if not reset and hasattr(estimator, "n_channels_in_"):
        if n_channels != estimator.n_channels_in_:
            raise ValueError(
                f"X has {n_channels} channels, but {name} was fitted on "
                f"{estimator.n_channels_in_} channels (X of shape {X.shape}). Pass X "
                "with the channels it was fitted on, in the same order."
            )
        if X.shape[-1] != estimator.n_timepoints_in_ and not getattr(
            estimator, "_fitted_unequal_length", False
        ):
            if estimator._fitted_ndim == 2:
                prefix = (
                    f"X has {X.shape[-1]} features, but {name} is expecting "
                    f"{estimator.n_timepoints_in_} features as input: "
                )
            else:
                prefix = ""
            raise ValueError(
                f"{prefix}the series have {X.shape[-1]} time points, but {name} was "
                f"fitted on series of {estimator.n_timepoints_in_} time points. "
                "Resample or crop the series to the fitted length."
            )
    if X.ndim == 2:
        X = X[:, np.newaxis, :]
    return np.ascontiguousarray(X)


def _is_sequence_of_cases(X):
    """Whether X is a sequence of per-case series to be padded: an object array of cases
    (as the ``.ts`` loaders give), or a list/tuple of series of unequal lengths.

    Equal-length lists take the array path.
    """
    if isinstance(X, np.ndarray):
        return X.dtype == object and X.ndim == 1
    if not isinstance(X, (list, tuple)):
        return False
    try:
        shapes = [np.shape(case) for case in X]
    except ValueError:  # a case that is itself ragged: the array path reports it
        return False
    if not shapes or any(len(shape) not in (1, 2) for shape in shapes):
        return False
    return len({shape[-1] for shape in shapes}) > 1


def _pad_cases(X, dtype):
    """Validate each case (2D (n_channels, length) or 1D) and zero-pad them to one length."""
    if len(X) == 0:
        raise ValueError("X holds no cases: fit and predict need at least one series.")
    cases = []
    for i, case in enumerate(X):
        try:
            # float64 kept until the finiteness check below, which tells values beyond
            # float32 from infinities
            cases.append(check_array(
                np.atleast_2d(case), dtype=(np.float64, dtype), ensure_all_finite=False,
                ensure_min_samples=1, ensure_min_features=1, input_name="X",
            ))
        except ValueError as exc:
            raise ValueError(f"Case {i} of X: {exc}") from exc
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
    with np.errstate(over="ignore"):  # reported by _check_finite
        X_padded = padded.astype(dtype, copy=False)
    # NaN and infinities located in the padded layout: case, channel, time point
    try:
        _check_finite(X_padded, padded, allow_nan=False)
    except ValueError as exc:
        bad = int(np.argmax(~np.isfinite(X_padded).all(axis=(1, 2))))
        raise ValueError(f"Case {bad} of X: {exc}") from exc
    return X_padded, lengths


def validate_series_lengths(estimator, X, *, reset):
    """Validate X that may hold series of unequal lengths; return ``(X_padded, lengths)``.

    Series of unequal lengths come as a sequence (a list, or an object array as the
    ``.ts`` loaders give) of 2D arrays ``(n_channels, length_i)`` or 1D arrays (one
    channel). They are zero-padded at the end to the longest; ``lengths`` holds each real
    length, for the network to mask the padding. Equal-length X takes
    :func:`validate_series` and comes back with ``lengths=None``.

    An estimator fitted on unequal lengths scores series of any length; one fitted on
    equal lengths scores series of that length only.

    Returns
    -------
    X : ndarray of shape (n_cases, n_channels, max_length), dtype float32
    lengths : ndarray of shape (n_cases,) or None
    """
    if _is_sequence_of_cases(X):
        padded, lengths = _pad_cases(X, np.float32)
        if (lengths == lengths[0]).all():  # an object array of equal-length cases
            X, lengths = padded, None
    else:
        lengths = None
    if lengths is None:
        X = validate_series(estimator, X, reset=reset)
        if reset:
            estimator._fitted_unequal_length = False
        return X, None
    _check_feature_names(estimator, X, reset=reset)
    X = padded
    name = type(estimator).__name__
    if reset:
        estimator.n_features_in_ = estimator.n_channels_in_ = X.shape[1]
        estimator.n_timepoints_in_ = X.shape[-1]
        estimator._fitted_ndim = 3
        estimator._fitted_unequal_length = True
    elif X.shape[1] != estimator.n_channels_in_:
        raise ValueError(
            f"X has {X.shape[1]} channels, but {name} was fitted on "
            f"{estimator.n_channels_in_} channels. Pass X with the channels it was fitted "
            "on, in the same order."
        )
    elif not estimator._fitted_unequal_length:
        raise ValueError(
            f"X holds series of unequal lengths ({lengths.min()} to {lengths.max()} time "
            f"points), but {name} was fitted on series of {estimator.n_timepoints_in_} "
            "time points. Resample them to that length, or fit on series of unequal "
            "lengths to score them."
        )
    return X, lengths


def as_cases(X, lengths):
    """X as the estimators accept it: the array, or a list of unpadded cases (views)."""
    if lengths is None:
        return X
    return [case[:, :length] for case, length in zip(X, lengths, strict=True)]


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
