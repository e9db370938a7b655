"""Series of unequal length stored NaN-padded (the UCR archive's layout) as a ragged array."""

import numpy as np

from .._validation import trailing_nan_lengths

__all__ = ["trim_trailing_nan"]


def trim_trailing_nan(X):
    """Drop the NaN that pad the ends of series: the UCR archive's unequal-length layout.

    The UCR 2018 archive stores a dataset of series of unequal length as one table, each
    series padded with NaN after its last value (``load_ucr_tsv_file`` keeps that
    layout). The estimators take series of unequal length as a list of arrays of their
    own lengths; this function makes that list from the padded table.

    Parameters
    ----------
    X : array-like of shape (n_cases, n_channels, n_timepoints) or (n_cases, n_timepoints)
        The padded series. A time step is padding when it is NaN in every channel and
        no value follows it; NaN elsewhere (missing values) is kept.

    Returns
    -------
    X_trimmed : ndarray
        X as a 3D float32 array when no series ends in NaN; otherwise a 1D object array
        of ``(n_channels, length_i)`` float32 arrays.

    Raises
    ------
    ValueError
        When a series holds no value at all.

    Examples
    --------
    >>> import numpy as np
    >>> from inceptionsk.datasets import trim_trailing_nan
    >>> X = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, np.nan]])
    >>> [series.shape for series in trim_trailing_nan(X)]
    [(1, 3), (1, 2)]
    """
    X = np.asarray(X, dtype=np.float32)
    if X.ndim == 2:
        X = X[:, np.newaxis, :]
    if X.ndim != 3:
        raise ValueError(
            f"trim_trailing_nan takes X of shape (n_cases, n_channels, n_timepoints) or "
            f"(n_cases, n_timepoints), got an array of {X.ndim} dimension(s)."
        )
    lengths = trailing_nan_lengths(np.isnan(X))
    if (lengths == 0).any():
        raise ValueError(
            f"Series {int(np.argmax(lengths == 0))} of X holds no value (all NaN): "
            f"drop the empty series first."
        )
    if (lengths == X.shape[-1]).all():
        return X
    trimmed = np.empty(len(X), dtype=object)
    for index, length in enumerate(lengths):
        trimmed[index] = X[index, :, :length].copy()
    return trimmed
