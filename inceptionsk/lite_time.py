"""LITETime's estimators: the ensemble of LITE networks and its single-network members.

The same machinery as InceptionTime's estimators (:mod:`inceptionsk.single_network`,
:mod:`inceptionsk.ensemble`, :mod:`inceptionsk._tasks`) with the LITE network of
:mod:`inceptionsk.network` (Ismail-Fawaz et al. 2023; LITEMV, 2024): the recipe, unequal
lengths, sample and class weights, validation, saving and interrupts work alike.
"""

import dataclasses
from numbers import Integral

from sklearn.utils._param_validation import Interval

from ._params import PARAMETERS, Parameter, estimator_class
from ._tasks import ClassifierTask, RegressorTask
from .ensemble import NetworkEnsemble
from .network import LITE
from .persistence import register
from .single_network import NetworkEstimator

__all__ = [
    "LITENetworkClassifier", "LITENetworkRegressor", "LITETimeClassifier", "LITETimeRegressor",
]

#: The parameters of the LITE network, in the estimators' names.
NETWORK_PARAMETERS = {
    "n_filters": Parameter(
        32, [Interval(Integral, 1, None, closed="left")], "int",
        "Filters of each of the three multiplexing convolutions and of the two dilated "
        "depthwise-separable layers.",
    ),
    "kernel_size": Parameter(
        40, [Interval(Integral, 4, None, closed="left")], "int",
        "Longest kernel: the multiplexing convolutions use ``kernel_size``, "
        "``kernel_size // 2`` and ``kernel_size // 4`` (40, 20, 10), the dilated layers "
        "``kernel_size // 2`` (dilation 2) and ``kernel_size // 4`` (dilation 4), which "
        "span about ``kernel_size`` steps: on much shorter series they see mostly "
        "padding, so lower ``kernel_size`` there.",
    ),
    "use_litemv": Parameter(
        False, ["boolean"], "bool",
        "LITEMV, for multivariate series (Ismail-Fawaz et al. 2024): depthwise-separable "
        "multiplexing convolutions and the hand-crafted filters on each channel; without "
        "it, the filters apply to the sum of the channels, as LITE's authors do.",
    ),
}

#: LITE starts from Glorot-uniform weights, its authors' Keras default: from torch's
#: start it learns too slowly for a short training to follow class weights
#: (tests/test_weight_init.py).
OVERRIDES = {
    "weight_init": dataclasses.replace(
        PARAMETERS["weight_init"], default="glorot",
        doc="""
        How each network's weights start. ``"glorot"``: the convolutions' and the
        linear head's weights drawn Glorot-uniform and their biases zero, the Keras
        defaults of LITE's authors' code; from it LITE learns faster in a short training
        than from ``"torch"``, torch's default initialisation (see the user guide's
        recipes page). Batch norm starts at weight 1 and bias 0 either way, and the
        hand-crafted filters are constants, never drawn.
        """,
    ),
}


class LITETimeNetwork:
    """The architecture mixin: :class:`~inceptionsk.network.LITE` and its constructor
    arguments from the estimator's parameters."""

    _network = LITE

    #: inceptionsk 0.1 (file format 1) padded the dilated layers as Keras does, where a
    #: series of 2 steps reaches none of the last layer's taps; its files load as saved
    _earlier_format_attributes = {1: {"_keras_dilation": True}}

    def _module_params(self, n_channels, n_outputs):
        return dict(c_in=n_channels, c_out=n_outputs, nf=self.n_filters, ks=self.kernel_size,
                    use_litemv=self.use_litemv,
                    keras_dilation=vars(self).get("_keras_dilation", False))

    def _fit_validated(self, X, lengths, y, sample_weight, **training):
        if not self._warm():  # a new network is today's; a warm start keeps the fitted one
            vars(self).pop("_keras_dilation", None)
        return super()._fit_validated(X, lengths, y, sample_weight, **training)

    def _layers(self):
        """The network's layers in order, each as the prefixes of its weights' names:
        the multiplexing convolutions (with the hand-crafted filters and their batch
        norm), then the two dilated separable layers. :func:`inceptionsk.fine_tune`
        freezes the first ``freeze`` of them."""
        return [("convs.", "hybrid.", "bn."), ("fcn.0.",), ("fcn.1.",)]


_REFERENCE = """\
References
----------
.. [1] A. Ismail-Fawaz, M. Devanne, S. Berretti, J. Weber and G. Forestier. "LITE:
   Light Inception with boosTing tEchniques for Time Series Classification". IEEE
   International Conference on Data Science and Advanced Analytics (DSAA), 2023.
.. [2] A. Ismail-Fawaz, M. Devanne, S. Berretti, J. Weber and G. Forestier. "Look Into
   the LITE in Deep Learning for Time Series Classification". arXiv:2409.02869, 2024."""


@register
@estimator_class(NETWORK_PARAMETERS, classifier=True, ensemble=False, overrides=OVERRIDES)
class LITENetworkClassifier(ClassifierTask, LITETimeNetwork, NetworkEstimator):
    """One LITE network trained as a classifier: a member of LITETime.

    Trains :class:`~inceptionsk.network.LITE` (9,814 parameters before its head on one
    channel, 2.5% of InceptionTime's network) with the paper's recipe, as
    :class:`InceptionNetworkClassifier` does. Most users want the 5-network
    :class:`LITETimeClassifier`.

    %(parameters)s

    %(attributes)s

    See Also
    --------
    LITETimeClassifier : The ensemble of these networks.
    InceptionNetworkClassifier : The same with InceptionTime's network.

    %(notes)s

    Examples
    --------
    >>> from inceptionsk import LITENetworkClassifier
    >>> from inceptionsk.datasets import load_gunpoint
    >>> X, y = load_gunpoint(split="train", return_X_y=True)
    >>> clf = LITENetworkClassifier(max_epochs=2, random_state=0)
    >>> clf.fit(X, y).predict(X[:3]).shape
    (3,)
    """


@register
@estimator_class(NETWORK_PARAMETERS, classifier=False, ensemble=False, overrides=OVERRIDES)
class LITENetworkRegressor(RegressorTask, LITETimeNetwork, NetworkEstimator):
    """One LITE network trained as a regressor: a member of :class:`LITETimeRegressor`.

    The LITE network with a linear head trained on the mean squared error of
    standardised targets, as :class:`InceptionNetworkRegressor`.

    %(parameters)s

    %(attributes)s

    See Also
    --------
    LITETimeRegressor : The ensemble of these networks.

    %(notes)s

    Examples
    --------
    >>> import numpy as np
    >>> from inceptionsk import LITENetworkRegressor
    >>> X = np.random.RandomState(0).normal(size=(20, 1, 30))
    >>> reg = LITENetworkRegressor(max_epochs=2, random_state=0)
    >>> reg.fit(X, X.mean(axis=(1, 2))).predict(X[:3]).shape
    (3,)
    """


@register
@estimator_class(NETWORK_PARAMETERS, classifier=True, ensemble=True, overrides=OVERRIDES,
                 reference=_REFERENCE)
class LITETimeClassifier(ClassifierTask, LITETimeNetwork, NetworkEnsemble):
    """LITETime: an ensemble of LITE networks for time-series classification.

    Ismail-Fawaz et al. (2023) [1]_: ``n_estimators`` :class:`LITENetworkClassifier`
    networks, each trained from its own random initialisation with InceptionTime's recipe,
    their softmax outputs averaged. A LITE network has 2.5% of InceptionTime's parameters
    and trains several times faster (``benchmarks/RESULTS.md``); LITETime's published
    UCR-128 mean accuracy is .8462 (InceptionTime: .8436). ``use_litemv=True`` is LITEMV,
    for multivariate series [2]_.

    %(parameters)s

    %(attributes)s

    See Also
    --------
    LITENetworkClassifier : One network of the ensemble.
    InceptionTimeClassifier : The ensemble of InceptionTime networks.

    %(notes)s

    %(reference)s

    Examples
    --------
    >>> from inceptionsk import LITETimeClassifier
    >>> from inceptionsk.datasets import load_basic_motions
    >>> X, y = load_basic_motions(split="train", return_X_y=True)
    >>> clf = LITETimeClassifier(n_estimators=2, max_epochs=2, use_litemv=True, random_state=0)
    >>> clf.fit(X, y).predict_proba(X[:2]).shape
    (2, 4)
    """

    _member_class = LITENetworkClassifier


@register
@estimator_class(NETWORK_PARAMETERS, classifier=False, ensemble=True, overrides=OVERRIDES,
                 reference=_REFERENCE)
class LITETimeRegressor(RegressorTask, LITETimeNetwork, NetworkEnsemble):
    """An ensemble of LITE networks for time-series regression.

    :class:`LITENetworkRegressor` members, their predictions averaged.

    %(parameters)s

    %(attributes)s

    See Also
    --------
    LITENetworkRegressor : One network of the ensemble.
    InceptionTimeRegressor : The ensemble of InceptionTime networks.

    %(notes)s

    %(reference)s

    Examples
    --------
    >>> import numpy as np
    >>> from inceptionsk import LITETimeRegressor
    >>> X = np.random.RandomState(0).normal(size=(20, 1, 30))
    >>> reg = LITETimeRegressor(n_estimators=2, max_epochs=2, random_state=0)
    >>> reg.fit(X, X.mean(axis=(1, 2))).predict(X[:2]).shape
    (2,)
    """

    _member_class = LITENetworkRegressor
