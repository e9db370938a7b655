"""Classification and regression: what the estimators learn and what they predict.

A task mixin turns validated targets into what a network trains on, and a network's
outputs into predictions. Single networks and ensembles share it: the public
``predict``/``predict_proba`` validate X once and call ``_predict_validated``, which a
single network computes from its outputs (:meth:`_finish`) and an ensemble averages over
its members.
"""

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from torch import nn

from ._validation import check_classes, validate_series
from .training import WeightedNetClassifier, WeightedNetRegressor

__all__ = ["ClassifierTask", "RegressorTask"]


class ClassifierTask(ClassifierMixin):
    """Class labels in, class probabilities out: cross-entropy on the logits."""

    _regression = False
    _net_class = WeightedNetClassifier
    _criterion = nn.CrossEntropyLoss

    def _check_target(self, y):
        """Check that the labels ``y`` can train a classifier; record ``classes_``."""
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        check_classes(self, self.classes_)

    def _encode_target(self, y):
        """The class indices a network trains on; records ``classes_`` (sorted)."""
        self.classes_, encoded = np.unique(y, return_inverse=True)
        return encoded.astype(np.int64)

    def _encode_known_target(self, y):
        """The class indices of labels seen in fit (to resume training)."""
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            raise ValueError(
                f"y holds labels not seen in fit ({list(unknown[:5])}); resume with the "
                "data given to fit."
            )
        return np.searchsorted(self.classes_, y).astype(np.int64)

    def _n_outputs(self):
        return len(self.classes_)

    def _case_weights(self, targets, sample_weight):
        """Each case's weight in the loss: its class's weight times its sample weight."""
        if self.class_weight is None:
            return sample_weight
        if isinstance(self.class_weight, dict):
            unknown = set(self.class_weight) - set(self.classes_.tolist())
            if unknown:
                raise ValueError(
                    f"class_weight names classes not in y: {sorted(unknown, key=str)}; "
                    f"the classes are {self.classes_.tolist()}."
                )
        per_class = compute_class_weight(self.class_weight, classes=self.classes_,
                                         y=self.classes_[targets])
        weights = per_class[targets] * (1.0 if sample_weight is None else sample_weight)
        # equal weights weigh every case alike: the plain mean of the losses
        return None if (weights == weights[0]).all() else weights.astype(np.float32)

    def _finish(self, outputs):
        """Class probabilities from logits: a softmax in float64."""
        logits = outputs.astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints) or (n_cases, \
n_timepoints), or list of arrays of shape (n_channels, n_timepoints_i)
            The series.

        Returns
        -------
        proba : ndarray of shape (n_cases, n_classes)
            Columns follow ``classes_``; an ensemble averages its members'.
        """
        self._check_fitted()
        return self._predict_validated(*validate_series(self, X, reset=False))

    def predict(self, X):
        """Predicted class labels: the class of the highest probability.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints) or (n_cases, \
n_timepoints), or list of arrays of shape (n_channels, n_timepoints_i)
            The series.

        Returns
        -------
        y_pred : ndarray of shape (n_cases,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class RegressorTask(RegressorMixin):
    """Real targets in and out: mean squared error on standardised targets."""

    _regression = True
    _net_class = WeightedNetRegressor
    _criterion = nn.MSELoss

    def _check_target(self, y):
        """Record ``n_outputs_`` of the targets ``y`` (n_cases, n_outputs)."""
        self.n_outputs_ = y.shape[1]

    def _encode_target(self, y):
        # Train on standardised targets: a zero-initialised head reaches targets of any
        # scale (prices in 1e5, rates in 1e-3) at the same pace; predict undoes it.
        self.n_outputs_ = y.shape[1]
        self.target_scaler_ = StandardScaler().fit(y)
        return self.target_scaler_.transform(y).astype(np.float32)

    def _encode_known_target(self, y):
        if y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {y.shape[1]} targets, but {type(self).__name__} was fitted on "
                f"{self.n_outputs_}; resume with the data given to fit."
            )
        return self.target_scaler_.transform(y).astype(np.float32)

    def _n_outputs(self):
        return self.n_outputs_

    def _case_weights(self, targets, sample_weight):
        return sample_weight

    def _finish(self, outputs):
        """Targets in their own scale from the network's standardised outputs."""
        return self.target_scaler_.inverse_transform(outputs.astype(np.float64))

    def predict(self, X):
        """Predicted targets.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints) or (n_cases, \
n_timepoints), or list of arrays of shape (n_channels, n_timepoints_i)
            The series.

        Returns
        -------
        y_pred : ndarray of shape (n_cases,) or (n_cases, n_outputs)
            1D when there is one target, as in scikit-learn's ``MLPRegressor``; an
            ensemble averages its members'.
        """
        self._check_fitted()
        outputs = self._predict_validated(*validate_series(self, X, reset=False))
        return outputs[:, 0] if self.n_outputs_ == 1 else outputs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
