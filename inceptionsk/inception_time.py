"""InceptionTime's estimators: the paper's ensemble and its single-network members.

Each class is the shared machinery (one network or an ensemble, a task) with the
InceptionTime network of :mod:`inceptionsk.network`; see :mod:`inceptionsk.single_network`,
:mod:`inceptionsk.ensemble` and :mod:`inceptionsk._tasks`.
"""

from numbers import Integral

from sklearn.utils._param_validation import Interval

from ._params import Parameter, estimator_class
from ._tasks import ClassifierTask, RegressorTask
from .ensemble import NetworkEnsemble
from .network import InceptionTime
from .persistence import register
from .single_network import NetworkEstimator

__all__ = [
    "InceptionNetworkClassifier", "InceptionNetworkRegressor", "InceptionTimeClassifier",
    "InceptionTimeRegressor",
]

#: The parameters of the InceptionTime network, in the estimators' names.
NETWORK_PARAMETERS = {
    "n_filters": Parameter(
        32, [Interval(Integral, 1, None, closed="left")], "int",
        "Filters of each of the four branches of an Inception module, which outputs "
        "``4 * n_filters`` channels.",
    ),
    "kernel_size": Parameter(
        # kernel_size // 4 must stay a positive odd kernel size, so at least 4
        40, [Interval(Integral, 4, None, closed="left")], "int",
        "Longest convolution kernel; the modules use ``kernel_size``, ``kernel_size // 2`` "
        "and ``kernel_size // 4``, each made odd (39, 19 and 9 for 40).",
    ),
    "depth": Parameter(
        6, [Interval(Integral, 1, None, closed="left")], "int",
        "Number of Inception modules of each network.",
    ),
    "use_residual": Parameter(
        True, ["boolean"], "bool", "Whether every third module gets a residual shortcut.",
    ),
    "use_bottleneck": Parameter(
        True, ["boolean"], "bool",
        "Whether modules reduce their input to ``n_filters`` channels with a 1x1 "
        "convolution first.",
    ),
    "use_custom_filters": Parameter(
        False, ["boolean"], "bool",
        "H-InceptionTime (Ismail-Fawaz et al. 2022): the first Inception module also "
        "applies 17 frozen hand-crafted filters (trends and peaks) to each input channel "
        "(:class:`~inceptionsk.network.HybridLayer`).",
    ),
}


class InceptionTimeNetwork:
    """The architecture mixin: :class:`~inceptionsk.network.InceptionTime` and its
    constructor arguments from the estimator's parameters."""

    _network = InceptionTime

    def _module_params(self, n_channels, n_outputs):
        return dict(
            c_in=n_channels, c_out=n_outputs, nf=self.n_filters, ks=self.kernel_size,
            depth=self.depth, residual=self.use_residual, bottleneck=self.use_bottleneck,
            use_custom_filters=self.use_custom_filters,
        )

    def _layers(self):
        """The network's layers in order, each as the prefixes of its weights' names:
        the Inception modules, each with the residual shortcut added to its output.
        :func:`inceptionsk.fine_tune` freezes the first ``freeze`` of them."""
        return [
            (f"inceptionblock.inception.{d}.",)
            + ((f"inceptionblock.shortcut.{d // 3}.",) if self.use_residual and d % 3 == 2
               else ())
            for d in range(self.depth)
        ]


_REFERENCE = """\
References
----------
.. [1] H. Ismail Fawaz, B. Lucas, G. Forestier, C. Pelletier, D. F. Schmidt, J. Weber,
   G. I. Webb, L. Idoumghar, P.-A. Muller and F. Petitjean. "InceptionTime: Finding
   AlexNet for Time Series Classification". Data Mining and Knowledge Discovery 34,
   2020."""


@register
@estimator_class(NETWORK_PARAMETERS, classifier=True, ensemble=False)
class InceptionNetworkClassifier(ClassifierTask, InceptionTimeNetwork, NetworkEstimator):
    """One InceptionTime network trained as a classifier: a member of the ensemble.

    Trains :class:`~inceptionsk.network.InceptionTime` with skorch and the paper's
    recipe (Adam, learning rate halved on a training-loss plateau of 50 epochs down to
    1e-4, the weights of the lowest training loss kept). Most users want the 5-network
    :class:`~inceptionsk.InceptionTimeClassifier`; this class is its building block.

    %(parameters)s

    %(attributes)s

    See Also
    --------
    InceptionTimeClassifier : The paper's ensemble of these networks.

    %(notes)s

    Examples
    --------
    >>> from inceptionsk import InceptionNetworkClassifier
    >>> from inceptionsk.datasets import load_gunpoint
    >>> X, y = load_gunpoint(split="train", return_X_y=True)
    >>> clf = InceptionNetworkClassifier(max_epochs=2, depth=3, random_state=0)
    >>> clf.fit(X, y).predict(X[:3]).shape
    (3,)
    """


@register
@estimator_class(NETWORK_PARAMETERS, classifier=False, ensemble=False)
class InceptionNetworkRegressor(RegressorTask, InceptionTimeNetwork, NetworkEstimator):
    """One InceptionTime network trained as a regressor: a member of the ensemble.

    The same network and recipe as :class:`InceptionNetworkClassifier`, with a linear
    head of ``n_outputs`` units trained on the mean squared error of standardised
    targets (each target scaled to mean 0 and variance 1, undone at predict).

    %(parameters)s

    %(attributes)s

    See Also
    --------
    InceptionTimeRegressor : The ensemble of these networks.

    %(notes)s

    Examples
    --------
    >>> import numpy as np
    >>> from inceptionsk import InceptionNetworkRegressor
    >>> X = np.random.RandomState(0).normal(size=(20, 1, 30))
    >>> y = X.mean(axis=(1, 2))
    >>> reg = InceptionNetworkRegressor(max_epochs=2, depth=3, random_state=0)
    >>> reg.fit(X, y).predict(X[:3]).shape
    (3,)
    """


@register
@estimator_class(NETWORK_PARAMETERS, classifier=True, ensemble=True, reference=_REFERENCE)
class InceptionTimeClassifier(ClassifierTask, InceptionTimeNetwork, NetworkEnsemble):
    """InceptionTime: an ensemble of Inception networks for time-series classification.

    The classifier of Ismail Fawaz et al. (2020) [1]_: ``n_estimators`` networks, each an
    :class:`InceptionNetworkClassifier` trained from its own random initialisation with
    the paper's recipe (Adam, 1500 epochs of batches of 64, learning rate halved on a
    training-loss plateau of 50 epochs down to 1e-4, the weights of the lowest training
    loss kept), their softmax outputs averaged with equal weights.

    %(parameters)s

    %(attributes)s

    See Also
    --------
    InceptionNetworkClassifier : One network of the ensemble.
    InceptionTimeRegressor : The same ensemble for regression.

    %(notes)s

    %(reference)s

    Examples
    --------
    >>> from inceptionsk import InceptionTimeClassifier
    >>> from inceptionsk.datasets import load_gunpoint
    >>> X_train, y_train = load_gunpoint(split="train", return_X_y=True)
    >>> clf = InceptionTimeClassifier(n_estimators=2, max_epochs=2, depth=3, random_state=0)
    >>> clf.fit(X_train, y_train).predict_proba(X_train[:2]).shape
    (2, 2)
    """

    _member_class = InceptionNetworkClassifier


@register
@estimator_class(NETWORK_PARAMETERS, classifier=False, ensemble=True, reference=_REFERENCE)
class InceptionTimeRegressor(RegressorTask, InceptionTimeNetwork, NetworkEnsemble):
    """An ensemble of Inception networks for time-series regression.

    The classifier's ensemble with :class:`InceptionNetworkRegressor` members (a linear
    head trained on the mean squared error of standardised targets); the members'
    predictions are averaged.

    %(parameters)s

    %(attributes)s

    See Also
    --------
    InceptionNetworkRegressor : One network of the ensemble.
    InceptionTimeClassifier : The same ensemble for classification.

    %(notes)s

    %(reference)s

    Examples
    --------
    >>> import numpy as np
    >>> from inceptionsk import InceptionTimeRegressor
    >>> X = np.random.RandomState(0).normal(size=(20, 1, 30))
    >>> reg = InceptionTimeRegressor(n_estimators=2, max_epochs=2, depth=3, random_state=0)
    >>> reg.fit(X, X.mean(axis=(1, 2))).predict(X[:2]).shape
    (2,)
    """

    _member_class = InceptionNetworkRegressor
