"""Transformers for time series that go before the estimators in a Pipeline."""

import warnings

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin, _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from ._docs import TRANSFORMER_BLOCKS, fill_doc
from ._validation import validate_series
from .exceptions import find_stack_level
from .persistence import register

__all__ = ["SeriesImputer", "SeriesStandardScaler"]


class _SeriesTransformer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """What the transformers share: each series is transformed from itself alone, so
    ``fit`` learns nothing but the layout of X; X keeps its float dtype and its 2D or 3D
    shape."""

    #: Whether X may hold NaN.
    _allow_nan = False

    def _validate(self, X, reset):
        return validate_series(self, X, reset=reset, dtype=(np.float64, np.float32),
                               allow_nan=self._allow_nan, allow_unequal=False)[0]

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
        self._validate(X, reset=True)
        return self

    def _transform_each_series(self, X, transform):
        """``transform`` of a 3D float copy of validated X, in X's own number of
        dimensions."""
        check_is_fitted(self)
        n_dims = np.asarray(X).ndim
        X = transform(self._validate(X, reset=False).copy())
        return X[:, 0, :] if n_dims == 2 else X

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = self._allow_nan
        tags.requires_fit = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


@register
@fill_doc(**TRANSFORMER_BLOCKS)
class SeriesStandardScaler(_SeriesTransformer):
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
    %(attributes)s

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
        return self._transform_each_series(X, self._scale)

    def _scale(self, X):
        # float64 statistics: squares of float32 values beyond 1e19 overflow float32
        if self.with_mean:
            X -= X.mean(axis=-1, keepdims=True, dtype=np.float64)
        if self.with_std:
            std = X.std(axis=-1, keepdims=True, dtype=np.float64)
            X /= np.where(std > 0, std, 1)
        return X


@register
@fill_doc(**TRANSFORMER_BLOCKS)
class SeriesImputer(_SeriesTransformer):
    """Fill the missing values (NaN) of every series along time, from that series alone.

    The estimators refuse NaN; some UCR/UEA datasets have gaps. Put this transformer
    before them in a Pipeline. Each case and channel is filled on its own from its
    observed time points, so, like :class:`SeriesStandardScaler`, it learns nothing in
    ``fit`` and fills series it has not seen the same way.

    A series with no observed value at all (every time point NaN) becomes zeros with
    every strategy, and ``transform`` warns how many there were: there is nothing in the
    series to fill it from, and zero is the mean of z-normalised data.

    Parameters
    ----------
    strategy : {"linear", "ffill", "zero"}, default="linear"
        How to fill a gap:

        - ``"linear"``: interpolate linearly between the observed time points on either
          side; before the first and after the last observed time point, repeat its
          value (:func:`numpy.interp`).
        - ``"ffill"``: carry the last observed value forward; a gap at the start takes
          the first observed value.
        - ``"zero"``: put 0.

    Attributes
    ----------
    %(attributes)s

    See Also
    --------
    SeriesStandardScaler : Per-series z-normalisation, to put after the imputer.

    Examples
    --------
    >>> import numpy as np
    >>> from inceptionsk import SeriesImputer
    >>> X = np.array([[[1.0, np.nan, 3.0, np.nan]], [[np.nan, 2.0, np.nan, 8.0]]])
    >>> SeriesImputer().fit_transform(X)
    array([[[1., 2., 3., 3.]],
    <BLANKLINE>
           [[2., 2., 5., 8.]]])
    >>> SeriesImputer(strategy="ffill").fit_transform(X)
    array([[[1., 1., 3., 3.]],
    <BLANKLINE>
           [[2., 2., 2., 8.]]])

    In a Pipeline before a classifier:

    >>> from sklearn.pipeline import make_pipeline
    >>> from inceptionsk import InceptionTimeClassifier, SeriesStandardScaler
    >>> pipe = make_pipeline(SeriesImputer(), SeriesStandardScaler(),
    ...                      InceptionTimeClassifier(n_estimators=1, max_epochs=1, depth=1))
    >>> X = np.random.RandomState(0).normal(size=(10, 1, 20)); X[::3, 0, 5:8] = np.nan
    >>> pipe.fit(X, [0, 1] * 5).predict(X).shape
    (10,)
    """

    _parameter_constraints = {"strategy": [StrOptions({"linear", "ffill", "zero"})]}
    _allow_nan = True

    def __init__(self, *, strategy="linear"):
        self.strategy = strategy

    def transform(self, X):
        """Fill the NaN of each series of X.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints) or (n_cases, n_timepoints)

        Returns
        -------
        X_filled : ndarray of the shape of X, without NaN
            float64 for float64 input, float32 otherwise.
        """
        return self._transform_each_series(X, self._impute)

    def _impute(self, X):
        series = X.reshape(-1, X.shape[-1])  # a view: one row per case and channel
        missing = np.isnan(series)
        if missing.any():
            self._fill(series, missing)
            empty = missing.all(axis=1)
            if empty.any():
                case, channel = divmod(int(np.argmax(empty)), X.shape[1])
                warnings.warn(
                    f"SeriesImputer: {np.count_nonzero(empty)} series have no observed "
                    f"value (the first at case {case}, channel {channel}) and were filled "
                    "with zeros.",
                    UserWarning, stacklevel=find_stack_level(),
                )
                series[empty] = 0
        return X

    def _fill(self, series, missing):
        """Fill the rows of ``series`` in place where ``missing``; all-NaN rows stay NaN."""
        if self.strategy == "zero":
            series[missing] = 0
        elif self.strategy == "ffill":
            time = np.arange(series.shape[1])
            # index of the last observed time point up to each time point, and for a
            # leading gap the first observed one
            source = np.maximum.accumulate(np.where(missing, 0, time), axis=1)
            source = np.maximum(source, np.argmax(~missing, axis=1)[:, np.newaxis])
            series[:] = np.take_along_axis(series, source, axis=1)
        else:
            time = np.arange(series.shape[1])
            for row in np.flatnonzero(missing.any(axis=1) & ~missing.all(axis=1)):
                gap = missing[row]
                series[row, gap] = np.interp(time[gap], time[~gap], series[row, ~gap])

