"""Transformers for time series that go before the estimators in a Pipeline."""

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin, _fit_context
from sklearn.utils.validation import check_is_fitted

from ._validation import validate_series

__all__ = ["SeriesStandardScaler"]


class SeriesStandardScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Z-normalise every series on its own: each case and channel to mean 0, std 1 over time.

    The UCR archive's series are z-normalised this way; the official InceptionTime code
    expects it done beforehand. Unlike sklearn's ``StandardScaler`` (per feature, over
    the cases), this scales each series by its own statistics, so it learns nothing in
    ``fit`` and works on series it has not seen. A constant series becomes zeros.

    Parameters
    ----------
    with_mean : bool, default=True
        Subtract each series' mean.
    with_std : bool, default=True
        Divide each series by its standard deviation.

    Attributes
    ----------
    n_features_in_ : int
        ``X.shape[1]`` of the X passed to fit.
    n_channels_in_ : int
        Number of channels seen in fit.
    n_timepoints_in_ : int
        Series length seen in fit.

    Examples
    --------
    >>> import numpy as np
    >>> from inceptionsk import SeriesStandardScaler
    >>> X = np.array([[[1.0, 2.0, 3.0]], [[10.0, 10.0, 10.0]]])
    >>> SeriesStandardScaler().fit_transform(X).round(3)
    array([[[-1.225,  0.   ,  1.225]],
    <BLANKLINE>
           [[ 0.   ,  0.   ,  0.   ]]])
    """

    _parameter_constraints = {"with_mean": ["boolean"], "with_std": ["boolean"]}

    def __init__(self, *, with_mean=True, with_std=True):
        self.with_mean = with_mean
        self.with_std = with_std

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Record the layout of X (nothing is learned).

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints) or (n_cases, n_timepoints)
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        validate_series(self, X, reset=True)
        return self

    def transform(self, X):
        """Z-normalise each series of X.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints) or (n_cases, n_timepoints)

        Returns
        -------
        X_scaled : ndarray of the shape of X
            float64 for float64 input, float32 otherwise.
        """
        check_is_fitted(self)
        n_dims = np.asarray(X).ndim
        X = validate_series(self, X, reset=False, dtype=(np.float64, np.float32)).copy()
        if self.with_mean:
            X -= X.mean(axis=-1, keepdims=True)
        if self.with_std:
            std = X.std(axis=-1, keepdims=True)
            X /= np.where(std > 0, std, 1)
        return X[:, 0, :] if n_dims == 2 else X

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.requires_fit = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
