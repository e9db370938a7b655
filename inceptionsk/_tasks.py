"""Classification and regression: what the estimators learn and what they predict.

A task mixin turns validated targets into what a network trains on, and a network's
outputs into predictions. Single networks and ensembles share it: the public
``predict``/``predict_proba`` validate X once and call ``_predict_validated``, which a
single network computes from its outputs (:meth:`_finish`) and an ensemble averages over
its members. The activation maps go the same way: ``class_activation_map`` and
``regression_activation_map`` call ``_cam_validated``, a network's maps of every output
in the task's units (``_finish_map``), averaged over an ensemble's members.
"""

from numbers import Real

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets

from ._docs import SERIES_PARAMETER, fill_doc
from ._features import maps_per_case
from ._validation import check_classes, validate_series, validate_target
from .training import WeightedNetClassifier, WeightedNetRegressor

__all__ = ["ClassifierTask", "RegressorTask"]


class ClassifierTask(ClassifierMixin):
    """Class labels in, class probabilities out: cross-entropy on the logits."""

    _regression = False
    _net_class = WeightedNetClassifier

    def _task_loss(self):
        """The loss, as :func:`~inceptionsk.training.task_criterion` takes it: cross-entropy
        on the logits."""
        return {"regression": False}

    def _check_target(self, y):
        """Check that the labels ``y`` can train a classifier; record ``classes_``, and
        check ``class_weight`` against them (an ensemble, before training any member)."""
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        check_classes(self, self.classes_)
        if isinstance(self.class_weight, dict):
            self._check_class_weight_dict()

    def _check_warm_target(self, y):
        """A warm start needs the classes of the first fit (MLPClassifier's rule)."""
        classes = np.unique(y)
        if not np.array_equal(classes, self.classes_):
            raise ValueError(
                "warm_start can only be used where `y` has the same classes as in the "
                f"previous call to fit. Previously got {self.classes_}, `y` has {classes}. "
                "Set warm_start=False to train afresh, or use inceptionsk.fine_tune to "
                "start a network for other classes from this one."
            )

    def _check_class_weight_dict(self):
        unknown = set(self.class_weight) - set(self.classes_.tolist())
        if unknown:
            raise ValueError(
                f"class_weight names classes not in y: {sorted(unknown, key=str)}; "
                f"the classes are {self.classes_.tolist()}."
            )
        bad = {label: weight for label, weight in self.class_weight.items()
               if not (isinstance(weight, Real) and np.isfinite(weight) and weight >= 0)}
        if bad:
            raise ValueError(
                f"class_weight must map classes to finite weights >= 0, got {bad}."
            )

    def _encode_target(self, y):
        """The class indices a network trains on; records ``classes_`` (sorted)."""
        self.classes_, encoded = np.unique(y, return_inverse=True)
        return encoded.astype(np.int64)

    def _encode_known_target(self, y, advice="resume with the data given to fit"):
        """The class indices of labels seen in fit (to resume training, or to choose
        activation maps); ``advice`` ends the error on unknown labels."""
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            raise ValueError(f"y holds labels not seen in fit ({unknown[:5].tolist()}); {advice}.")
        return np.searchsorted(self.classes_, y).astype(np.int64)

    def _n_outputs(self):
        return len(self.classes_)

    def _encode_teacher(self, proba):
        """A teacher's probabilities as the log-probabilities distillation trains on
        (the logits of the averaged distribution, up to a constant); a probability of 0
        becomes a large negative log instead of -inf."""
        return np.log(np.maximum(proba, np.finfo(np.float32).tiny)).astype(np.float32)

    def _case_weights(self, targets, sample_weight):
        """Each case's weight in the loss: its class's weight times its sample weight."""
        if self.class_weight is None:
            return sample_weight
        if self.class_weight == "balanced":
            per_class = compute_class_weight("balanced", classes=self.classes_,
                                             y=self.classes_[targets])
        else:
            # looked up by label as classes_ holds it: sklearn's compute_class_weight
            # looks string labels that read as integers ("1") up as integers
            per_class = np.array([self.class_weight.get(label, 1.0)
                                  for label in self.classes_.tolist()], dtype=np.float64)
        weights = per_class[targets] * (1.0 if sample_weight is None else sample_weight)
        if not weights.any():
            raise ValueError(
                "class_weight and sample_weight give every training case a weight of 0: "
                "no case would count in the loss."
            )
        # equal weights weigh every case alike: the plain mean of the losses
        return None if (weights == weights[0]).all() else weights.astype(np.float32)

    def _finish(self, outputs):
        """Class probabilities from logits: a softmax in float64."""
        logits = outputs.astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        return proba / proba.sum(axis=1, keepdims=True)

    def _finish_map(self, maps):
        """Activation maps of the logits, as the network computes them."""
        return maps

    @fill_doc(series=SERIES_PARAMETER)
    def class_activation_map(self, X, y=None):
        """Class activation maps: for each series, its predicted class's evidence over time.

        The map of class ``c`` at time step ``t`` is the network's last feature maps at
        ``t`` (the output of its last block) weighted by the linear head's weights of ``c``
        (Zhou et al. 2016 [CAM]_, on time series Wang et al. 2017 [FCN]_). The network
        ends in global average pooling and that linear head, so the map is exact: its
        mean over the series' time steps, plus the head's bias of ``c``, is the logit of
        ``c``. High values mark the time steps that speak for ``c``. An ensemble returns
        the mean of its members' maps (its mean plus the members' mean bias is the
        members' mean logit).

        Parameters
        ----------
        %(series)s
        y : array-like of shape (n_cases,), default=None
            The class of each case whose map to return, among ``classes_``; None takes
            the predicted class (that of ``predict``).

        Returns
        -------
        maps : ndarray of shape (n_cases, n_timepoints), or list of ndarray of shape \
(n_timepoints_i,)
            float32. For series of unequal lengths a list: each map has its series' own
            length, and padding never enters it.

        See Also
        --------
        inceptionsk.plotting.plot_activation_map : Draw a series coloured by its map.

        References
        ----------
        .. [CAM] B. Zhou, A. Khosla, A. Lapedriza, A. Oliva and A. Torralba. "Learning
           Deep Features for Discriminative Localization". CVPR 2016.
        .. [FCN] Z. Wang, W. Yan and T. Oates. "Time Series Classification from Scratch
           with Deep Neural Networks: A Strong Baseline". IJCNN 2017.

        Examples
        --------
        >>> from inceptionsk import InceptionNetworkClassifier
        >>> from inceptionsk.datasets import load_gunpoint
        >>> X, y = load_gunpoint(split="train", return_X_y=True)
        >>> clf = InceptionNetworkClassifier(n_filters=4, depth=2, max_epochs=2,
        ...                                  random_state=0).fit(X, y)
        >>> clf.class_activation_map(X[:3]).shape
        (3, 150)
        >>> clf.class_activation_map(X[:3], y=["2", "2", "2"]).shape  # the maps of class "2"
        (3, 150)
        """
        self._check_fitted()
        X, lengths = validate_series(self, X, reset=False)
        if y is None:
            classes = np.argmax(self._predict_validated(X, lengths), axis=1)
        else:
            classes = self._encode_known_target(
                validate_target(y, len(X), regression=False),
                advice=f"pass labels among classes_ {self.classes_.tolist()}",
            )
        maps = self._cam_validated(X, lengths)[np.arange(len(X)), classes]
        return maps_per_case(maps, lengths)

    @fill_doc(series=SERIES_PARAMETER)
    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        %(series)s

        Returns
        -------
        proba : ndarray of shape (n_cases, n_classes)
            Columns follow ``classes_``; an ensemble averages its members'.
        """
        self._check_fitted()
        return self._predict_validated(*validate_series(self, X, reset=False))

    @fill_doc(series=SERIES_PARAMETER)
    def predict(self, X):
        """Predicted class labels: the class of the highest probability.

        Parameters
        ----------
        %(series)s

        Returns
        -------
        y_pred : ndarray of shape (n_cases,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class RegressorTask(RegressorMixin):
    """Real targets in and out: the loss ``loss`` (with Huber's ``epsilon``, the pinball
    loss's ``quantile``) on standardised targets."""

    _regression = True
    _net_class = WeightedNetRegressor

    def _task_loss(self):
        """The loss, as :func:`~inceptionsk.training.task_criterion` takes it: the
        estimator's ``loss``, ``epsilon`` and ``quantile``."""
        return {"regression": True, "loss": self.loss, "epsilon": self.epsilon,
                "quantile": self.quantile}

    def _check_target(self, y):
        """Record ``n_outputs_`` of the targets ``y`` (n_cases, n_outputs)."""
        self.n_outputs_ = y.shape[1]

    def _check_warm_target(self, y):
        """A warm start needs the number of targets of the first fit, and a network the
        values of the targets that were constant in it."""
        if y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"warm_start can only be used where `y` has the same number of targets as "
                f"in the previous call to fit. Previously got {self.n_outputs_}, `y` has "
                f"{y.shape[1]}. Set warm_start=False to train afresh, or use "
                "inceptionsk.fine_tune."
            )
        if not hasattr(self, "target_scaler_"):
            return  # an ensemble: its new members scale the targets of this fit
        # a network trains on with the scaling of its first fit
        constant = np.flatnonzero(self._output_scale() == 0)
        mean = self.target_scaler_.mean_[constant]
        if not np.allclose(y[:, constant], mean, rtol=1e-9, atol=0):
            raise ValueError(
                "warm_start keeps the target scaling of the previous call to fit, in which "
                f"target(s) {constant.tolist()} were constant ({mean.tolist()}), and so are "
                "predicted as that constant; `y` changes them. Set warm_start=False to "
                "train afresh."
            )

    def _encode_target(self, y):
        # Train on standardised targets: a network whose outputs start at unit scale
        # reaches targets of any scale (prices in 1e5, rates in 1e-3) at the same pace;
        # predict undoes it.
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

    def _encode_teacher(self, predictions):
        """A teacher's predictions, standardised as the network's targets are."""
        return self.target_scaler_.transform(
            np.asarray(predictions, dtype=np.float64).reshape(-1, self.n_outputs_)
        ).astype(np.float32)

    def _case_weights(self, targets, sample_weight):
        return sample_weight

    def _output_scale(self):
        """Each target's scale, from the network's standardised outputs to its units: the
        target scaler's, but 0 for a target that was constant in fit, which is then
        predicted as that constant. The scaler leaves such a target's scale at 1 (its
        standard deviation is 0, or float noise), so that the network's outputs, which no
        training brings exactly to 0, would move the prediction off the constant by up to
        about 1 in the target's units: far off for a constant of 1e-6."""
        scaler = self.target_scaler_
        # the scaler's scale_ is np.sqrt(var_) except where it replaced a zero by 1
        return np.where(scaler.scale_ != np.sqrt(scaler.var_), 0.0, scaler.scale_)

    def _finish(self, outputs):
        """Targets in their own scale from the network's standardised outputs."""
        return outputs.astype(np.float64) * self._output_scale() + self.target_scaler_.mean_

    def _finish_map(self, maps):
        """Activation maps in the targets' units: each standardised output's map times
        its target's scale (0 for a constant target)."""
        return maps * self._output_scale().astype(np.float32)[:, np.newaxis]

    @fill_doc(series=SERIES_PARAMETER)
    def regression_activation_map(self, X):
        """Activation maps of the predicted targets: each time step's share of a prediction.

        The class activation map of Zhou et al. (2016) [CAM]_ applied to the regression
        head: the network's last feature maps at each time step weighted by the linear
        head's weights of a target, scaled to the target's units. The network ends in
        global average pooling and that linear head, so the map is exact: its mean over
        the series' time steps plus an offset per network and target (``mean_ +
        scale_ * fc.bias`` of ``target_scaler_`` and ``module_``) is the prediction. An
        ensemble returns the mean of its members' maps (plus the members' mean offset:
        its prediction). A target that was constant in fit is predicted as that
        constant: its maps are 0 and its offset ``mean_``.

        Parameters
        ----------
        %(series)s

        Returns
        -------
        maps : ndarray of shape (n_cases, n_timepoints) or (n_cases, n_outputs, \
n_timepoints), or list of ndarray
            float32; without the targets axis for one target, as ``predict``. For
            series of unequal lengths a list: each map has its series' own length, and
            padding never enters it.

        See Also
        --------
        inceptionsk.plotting.plot_activation_map : Draw a series coloured by its map.

        References
        ----------
        .. [CAM] B. Zhou, A. Khosla, A. Lapedriza, A. Oliva and A. Torralba. "Learning
           Deep Features for Discriminative Localization". CVPR 2016.

        Examples
        --------
        >>> import numpy as np
        >>> from inceptionsk import InceptionNetworkRegressor
        >>> X = np.random.RandomState(0).normal(size=(20, 1, 30))
        >>> reg = InceptionNetworkRegressor(n_filters=4, depth=2, max_epochs=2,
        ...                                 random_state=0).fit(X, X.mean(axis=(1, 2)))
        >>> reg.regression_activation_map(X[:3]).shape
        (3, 30)
        """
        self._check_fitted()
        X, lengths = validate_series(self, X, reset=False)
        maps = self._cam_validated(X, lengths)
        return maps_per_case(maps[:, 0] if self.n_outputs_ == 1 else maps, lengths)

    @fill_doc(series=SERIES_PARAMETER)
    def predict(self, X):
        """Predicted targets.

        Parameters
        ----------
        %(series)s

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
