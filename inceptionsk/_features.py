"""What a fitted network computes besides its predictions: embeddings and activation maps.

Every network of this package ends in global average pooling and one linear layer
(:class:`~inceptionsk.network.GlobalPoolingNetwork`). The pooled features, the input of
that layer, are the estimators' ``transform`` (:class:`EmbeddingTransformerMixin`), so a
fitted estimator is also a feature extractor in a ``Pipeline``, as scikit-learn's
``LinearDiscriminantAnalysis`` is a classifier and a transformer. The last feature maps
weighted by the linear layer's weights of one output are that output's activation map
over time (Zhou et al. 2016), exact because the layer is linear on their time average;
the task mixins (:mod:`inceptionsk._tasks`) expose them, and :func:`maps_per_case` gives
each series its own length.

A base that uses the mixin defines ``_check_fitted``, ``_validate_and_fit(X, y,
sample_weight)`` (fit's work, returning the validated X and lengths), ``_embed_validated(X,
lengths)`` and the fitted property ``_n_features_out``.
"""

from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin, _fit_context

from ._docs import FIT_PARAMETERS, SERIES_PARAMETER, fill_doc
from ._validation import validate_series

__all__ = ["EmbeddingTransformerMixin", "maps_per_case"]


class EmbeddingTransformerMixin(ClassNamePrefixFeaturesOutMixin, TransformerMixin):
    """``transform``: the globally pooled features of the fitted network(s).

    ``get_feature_names_out`` comes from scikit-learn's ``ClassNamePrefixFeaturesOutMixin``
    (``inceptiontimeclassifier0``, ``inceptiontimeclassifier1``, ...), and with it
    ``set_output(transform="pandas")``.
    """

    @fill_doc(series=SERIES_PARAMETER)
    def transform(self, X):
        """The embeddings of the series: the globally pooled features of each network.

        Each network averages its last feature maps over the real time steps of a series
        (``4 * n_filters`` features for InceptionTime, ``n_filters`` for LITE), the input
        of its linear head; an ensemble puts its members' features side by side, member
        0's first. A fitted estimator is thus a feature extractor, e.g. before another
        classifier in a ``Pipeline``.

        Parameters
        ----------
        %(series)s

        Returns
        -------
        X_embedded : ndarray of shape (n_cases, n_features_out), dtype float32
            The features, named by ``get_feature_names_out()``; a pandas DataFrame after
            ``set_output(transform="pandas")``.

        Examples
        --------
        >>> from inceptionsk import InceptionTimeClassifier
        >>> from inceptionsk.datasets import load_gunpoint
        >>> X, y = load_gunpoint(split="train", return_X_y=True)
        >>> clf = InceptionTimeClassifier(n_estimators=2, n_filters=4, depth=2, max_epochs=2,
        ...                               random_state=0).fit(X, y)
        >>> clf.transform(X).shape  # 2 networks x 4 * n_filters features
        (50, 32)
        >>> clf.get_feature_names_out()[:2]
        array(['inceptiontimeclassifier0', 'inceptiontimeclassifier1'], dtype=object)
        """
        self._check_fitted()
        return self._embed_validated(*validate_series(self, X, reset=False))

    @_fit_context(prefer_skip_nested_validation=True)
    @fill_doc(parameters=FIT_PARAMETERS)
    def fit_transform(self, X, y, sample_weight=None):
        """Fit on X and y, then return the embeddings of X (see :meth:`transform`).

        X is validated once, for both.

        Parameters
        ----------
        %(parameters)s

        Returns
        -------
        X_embedded : ndarray of shape (n_cases, n_features_out), dtype float32
        """
        return self._embed_validated(*self._validate_and_fit(X, y, sample_weight))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # the networks compute in float32, whatever the input
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


def maps_per_case(maps, lengths):
    """Maps ``(n_cases, ..., n_timepoints)`` as they are for series of one length, or, for
    series of unequal ``lengths``, a list of each case's map cut to its own length."""
    if lengths is None:
        return maps
    return [case_map[..., :length].copy() for case_map, length in zip(maps, lengths, strict=True)]
