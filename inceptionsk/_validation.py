"""Input validation for the estimators: time-series X as float32 3D, targets, fitted layout.

X follows the convention of aeon, sktime and tsai: ``(n_cases, n_channels,
n_timepoints)``; a 2D array ``(n_cases, n_timepoints)`` is one channel. The estimators
record at fit time what they saw (``n_features_in_`` in sklearn's sense, i.e.
``X.shape[1]`` as passed, plus ``n_channels_in_`` and ``n_timepoints_in_``) and every
predict method checks a new X against it, with messages that name both counts.
"""

import numpy as np
from sklearn.utils.validation import _check_feature_names, check_array, column_or_1d

__all__ = ["validate_series", "validate_series_lengths", "as_cases", "validate_target"]


def _as_array(X, dtype):
    """Convert an array-like to a numeric float ndarray of 2 or 3 dims, or raise."""
    if isinstance(X, (str, bytes)) or np.isscalar(X):
        raise TypeError(
            f"X must be an array-like of shape (n_cases, n_channels, n_timepoints) or "
            f"(n_cases, n_timepoints), got a scalar {type(X).__name__}."
        )
    try:
        # ensure_all_finite after the cast to float32, so that values beyond float32's
        # range (1e39) are reported as too large instead of silently becoming inf.
        X = check_array(
            X, dtype=dtype, allow_nd=True, ensure_2d=False,
            ensure_all_finite=True, ensure_min_samples=1, ensure_min_features=1,
        )
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
    return X


def validate_series(estimator, X, *, reset, dtype=np.float32):
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

    Returns
    -------
    X : ndarray of shape (n_cases, n_channels, n_timepoints)
    """
    _check_feature_names(estimator, X, reset=reset)
    X = _as_array(X, dtype)
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
            cases.append(check_array(
                np.atleast_2d(case), dtype=dtype, ensure_all_finite=True,
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
    padded = np.zeros((len(cases), n_channels[0], lengths.max()), dtype=cases[0].dtype)
    for i, case in enumerate(cases):
        padded[i, :, : lengths[i]] = case
    return padded, lengths


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
    return [case[:, :length] for case, length in zip(X, lengths)]


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
        y = check_array(y, dtype=np.float32, ensure_2d=False, input_name="y",
                        ensure_all_finite=True)
        if y.ndim == 1:
            y = y[:, np.newaxis]
        elif y.ndim != 2:
            raise ValueError(f"y must be 1D or 2D (n_cases, n_outputs), got shape {y.shape}.")
    else:
        y = column_or_1d(np.asarray(y), warn=True)
        if y.dtype.kind == "f" and not np.isfinite(y).all():
            raise ValueError(
                f"y contains {np.count_nonzero(~np.isfinite(y))} NaN or infinite labels; "
                "drop those cases or give them a label."
            )
        if y.dtype == object and any(label is None for label in y):
            raise ValueError("y contains None labels; drop those cases or give them a label.")
    if len(y) != n_cases:
        raise ValueError(
            f"X and y have inconsistent numbers of cases: X has {n_cases}, y has {len(y)}."
        )
    return y
