"""Fine-tuning: a network that starts from another fitted network's weights, on new data.

:func:`fine_tune` trains a single-network estimator with its own recipe, starting from a
fitted network's weights, all but the linear head (which depends on the classes or
targets), optionally with the first layers frozen. The weights are loaded at the start
of skorch's training by :class:`~inceptionsk.training.InitialWeights`.
"""

from numbers import Integral

from sklearn.base import clone
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.validation import check_is_fitted

from ._docs import SERIES_PARAMETER, fill_doc
from ._params import PARAMETERS
from .ensemble import NetworkEnsemble
from .single_network import NetworkEstimator
from .training import InitialWeights

__all__ = ["fine_tune"]

#: The weights of the head, which the fine-tuned network learns anew.
_HEAD = ("fc.",)


def _check_source(source):
    if isinstance(source, NetworkEnsemble):
        raise TypeError(
            f"source is an ensemble ({type(source).__name__}); fine_tune starts one network "
            "from one network. Pass one of its members, e.g. source.estimators_[0], or "
            "a network distilled from it with inceptionsk.distill."
        )
    if not isinstance(source, NetworkEstimator):
        raise TypeError(
            "source must be a fitted single-network estimator of inceptionsk (e.g. an "
            f"InceptionNetworkClassifier), got {type(source).__name__}."
        )
    check_is_fitted(source, "net_")


def _check_architectures(source, estimator):
    """Refuse an estimator whose network differs from the source's (the head aside)."""
    n_channels = source.n_channels_in_
    if type(source)._network is not type(estimator)._network or (
        source._module_params(n_channels, 1) != estimator._module_params(n_channels, 1)
    ):
        theirs, ours = source.get_params(deep=False), estimator.get_params(deep=False)
        differing = {name: (theirs[name], ours[name]) for name in sorted(set(theirs) & set(ours))
                     if name not in PARAMETERS and theirs[name] != ours[name]}
        raise ValueError(
            f"estimator's network ({type(estimator).__name__}, "
            f"{type(estimator)._network.__name__}) differs from source's "
            f"({type(source).__name__}, {type(source)._network.__name__})"
            + (f" in {', '.join(f'{n}={b!r} (source: {a!r})' for n, (a, b) in differing.items())}"
               if differing else "")
            + ": the weights cannot carry over. Give estimator the source's architecture, "
            "e.g. clone(source) with set_params of the recipe only."
        )


@validate_params(
    {
        "source": [object],
        "estimator": [object],  # fine_tune says what an estimator must be
        "X": ["array-like", list],
        "y": ["array-like"],
        "freeze": [Interval(Integral, 0, None, closed="left")],
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
@fill_doc(series=SERIES_PARAMETER)
def fine_tune(source, estimator, X, y, *, freeze=0, sample_weight=None):
    """Train a network on X and y starting from a fitted network's weights.

    ``estimator`` (cloned, never changed) trains with its own recipe, but its network
    starts from ``source``'s weights and batch-norm statistics, everything but the
    linear head: the head is new, so y may hold other classes than the source's, or be
    a regression target. The first ``freeze`` layers keep the source's weights: their
    parameters get no gradient (their batch-norm statistics still follow the new data,
    in training mode).

    A function, and no estimator parameter, because a parameter holding a fitted model
    would be unfitted by ``clone`` (and so by ``GridSearchCV`` and
    ``cross_val_score``), silently training from scratch; the result here is an
    ordinary estimator, whose parameters are ``estimator``'s.

    Parameters
    ----------
    source : fitted estimator
        A fitted single network of the package (e.g. a member of an ensemble,
        ``ensemble.estimators_[0]``, or a network loaded with
        :func:`inceptionsk.load`), trained on series with the channels of X.
    estimator : estimator
        An unfitted single-network estimator with the source's architecture (the same
        class family and network parameters: ``n_filters``, ``kernel_size``,
        ``depth``...); its recipe (epochs, ``lr``, schedule) is free. A classifier or a
        regressor, whatever the source is.
    %(series)s
    y : array-like of shape (n_cases,) or (n_cases, n_outputs)
        Labels or targets of the new task.
    freeze : int, default=0
        Number of leading layers not trained: InceptionTime's Inception modules (with
        the residual shortcut that joins a module's output), or LITE's three layers
        (the multiplexing convolutions, then the two dilated ones).
    sample_weight : array-like of shape (n_cases,), default=None
        Weights of the cases in the loss, as in ``fit``.

    Returns
    -------
    estimator : estimator
        The fitted clone of ``estimator``. Its frozen parameters stay frozen in
        ``module_`` (a ``resume`` keeps them, a model saved and loaded again does not);
        ``clone`` gives the unfitted estimator.

    Raises
    ------
    ValueError
        When the architectures differ, when X has another number of channels than
        the source was trained on, or when ``freeze`` exceeds the number of layers.

    Examples
    --------
    >>> from sklearn.base import clone
    >>> from inceptionsk import InceptionNetworkClassifier, fine_tune
    >>> from inceptionsk.datasets import load_gunpoint
    >>> X, y = load_gunpoint(split="train", return_X_y=True)
    >>> source = InceptionNetworkClassifier(n_filters=4, depth=3, max_epochs=2,
    ...                                     random_state=0).fit(X, y)
    >>> target = clone(source).set_params(max_epochs=1)
    >>> tuned = fine_tune(source, target, X, y == "1", freeze=2)
    >>> tuned.classes_.tolist()
    [False, True]
    """
    _check_source(source)
    if isinstance(estimator, NetworkEnsemble):
        raise TypeError(
            f"estimator is an ensemble ({type(estimator).__name__}); fine_tune trains one "
            "network. Pass a single-network estimator such as InceptionNetworkClassifier."
        )
    if not isinstance(estimator, NetworkEstimator):
        raise TypeError(
            "estimator must be a single-network estimator of inceptionsk (e.g. "
            f"InceptionNetworkClassifier()), got {type(estimator).__name__}."
        )
    estimator = clone(estimator)
    estimator._validate_params()
    _check_architectures(source, estimator)
    layers = estimator._layers()
    if freeze > len(layers):
        raise ValueError(
            f"freeze={freeze}, but {type(estimator).__name__}'s network has "
            f"{len(layers)} layers to freeze; pass at most {len(layers)}."
        )
    start = InitialWeights(
        source.module_.state_dict(), skip=_HEAD,
        frozen=tuple(prefix for layer in layers[:freeze] for prefix in layer),
        n_channels=source.n_channels_in_,
    )
    estimator._validate_and_fit(X, y, sample_weight, start=start)
    return estimator
