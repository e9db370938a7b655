"""The estimators' parameters: each declared once, with its default, constraint and text.

scikit-learn reads an estimator's parameters from the signature of its ``__init__``, which
must store them unchanged. The estimators of this package share most of theirs (the
network's shape, the training recipe, the device), so each parameter is declared once
here (:data:`PARAMETERS`) and :func:`estimator_parameters` gives a class the keyword-only
``__init__`` (written by :mod:`dataclasses`), the ``_parameter_constraints`` and the
Parameters section of its docstring for the names it lists. A class lists its names in the
order its signature and docstring show them.
"""

import dataclasses
import textwrap
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions

from ._docs import fill_docstring, shared_blocks
from .recipes import RECIPES
from .training import REGRESSION_LOSSES

__all__ = [
    "PARAMETERS", "TRAINING", "Parameter", "estimator_class", "estimator_parameters",
]


@dataclasses.dataclass(frozen=True)
class Parameter:
    """One estimator parameter: its default, sklearn constraints and documentation.

    ``doc`` is the text under the ``name : type, default=...`` line of numpydoc;
    ``ensemble_doc``, when given, replaces it in the docstrings of the ensembles.
    """

    default: object
    constraints: list
    type: str
    doc: str
    ensemble_doc: str = None

    def render(self, name, ensemble):
        default = f'"{self.default}"' if isinstance(self.default, str) else self.default
        doc = self.ensemble_doc if ensemble and self.ensemble_doc else self.doc
        body = textwrap.indent(textwrap.fill(" ".join(doc.split()), width=84), "    ")
        return f"{name} : {self.type}, default={default}\n{body}"


PARAMETERS = {
    "recipe": Parameter(
        "paper", [StrOptions(set(RECIPES))], '{"paper", "fast"}',
        """
        The training recipe, which sets ``n_estimators``, ``max_epochs`` and
        ``lr_schedule`` where they are None (a single network trains one network of it).
        ``"paper"``: the paper's 5 networks x 1500 epochs with the plateau schedule.
        ``"fast"``: 1/5 of its training compute on any data; a classifier trains one
        network of the paper's recipe, a regressor 5 networks x 300 epochs with the
        one-cycle schedule (:func:`inceptionsk.recipes.fast_budget`; the user guide's
        recipes page has their measured accuracy and cost).
        """,
    ),
    "n_estimators": Parameter(
        None, [Interval(Integral, 1, None, closed="left"), None], "int or None",
        "Number of networks; their outputs are averaged. None: the recipe's (5 for "
        '``recipe="paper"``).',
    ),
    "max_epochs": Parameter(
        None, [Interval(Integral, 1, None, closed="left"), None], "int or None",
        'Training epochs of each network. None: the recipe\'s (1500 for ``recipe="paper"``).',
    ),
    "batch_size": Parameter(
        64, [Interval(Integral, 1, None, closed="left")], "int",
        "Mini-batch size of training, and the chunk size of scoring on the CPU.",
    ),
    "lr": Parameter(
        # an infinite learning rate turns the weights into NaN at the first step
        0.001, [Interval(Real, 0, np.inf, closed="neither")], "float",
        "Initial learning rate of Adam.",
    ),
    "lr_schedule": Parameter(
        None, [StrOptions({"plateau", "one_cycle"}), None], '{"plateau", "one_cycle"} or None',
        """
        ``"plateau"`` is the paper's: the rate halves after 50 epochs without a lower
        training loss, down to 1e-4. ``"one_cycle"``: one cycle up to ``10 * lr`` and
        down to nearly zero over ``max_epochs``, which learns more in budgets of far
        fewer epochs (see the user guide). None: the recipe's (``"plateau"`` for both).
        """,
    ),
    "weight_init": Parameter(
        "torch", [StrOptions({"glorot", "torch"})], '{"torch", "glorot"}',
        """
        How each network's weights start. ``"torch"``: torch's default initialisation,
        as tsai's modules start. ``"glorot"``: the convolutions' and the linear head's
        weights drawn Glorot-uniform and their biases zero, the Keras defaults of the
        papers' own code (InceptionTime's and LITE's); which one the recipes should use
        is being measured on the development sets (see the user guide's recipes page).
        Batch norm starts at weight 1 and bias 0 either way, and H-InceptionTime's
        hand-crafted filters are constants, never drawn.
        """,
    ),
    "validation_fraction": Parameter(
        None, [Interval(Real, 0, 1, closed="neither"), None], "float",
        """
        Fraction of the training cases each network holds out as its validation set
        (stratified by class for classifiers, drawn from the network's own seed).
        The weights of the epoch with the lowest validation loss are then kept, and
        ``history_`` records ``valid_loss`` (and ``valid_acc``). None, the paper's
        recipe, trains on every case and keeps the lowest training loss.
        """,
    ),
    "n_iter_no_change": Parameter(
        None, [Interval(Integral, 1, None, closed="left"), None], "int",
        """
        Stop training when the validation loss (the training loss without
        ``validation_fraction``) has not improved for this many epochs. None trains
        ``max_epochs`` epochs.
        """,
    ),
    "class_weight": Parameter(
        None, [dict, StrOptions({"balanced"}), None], 'dict, "balanced" or None',
        """
        Weights of the classes in the loss: ``{label: weight}``, or ``"balanced"`` for
        ``n_cases / (n_classes * np.bincount(y))`` (scikit-learn's
        ``compute_class_weight``). They multiply ``sample_weight`` given to ``fit``.
        """,
    ),
    "loss": Parameter(
        "squared_error", [StrOptions(set(REGRESSION_LOSSES))],
        '{"squared_error", "absolute_error", "huber", "quantile"}',
        """
        The loss each network minimises on the standardised targets (scikit-learn's
        names). ``"squared_error"``: the paper's mean squared error, which predicts
        conditional means. ``"absolute_error"``: the mean absolute error, which predicts
        conditional medians. ``"huber"``: Huber's loss, squared within ``epsilon``
        standard deviations of the target and absolute beyond, so that a few extreme
        targets do not dominate training: for targets whose extremes are noise (the
        archives page of the user guide has measured cases, for and against).
        ``"quantile"``: the pinball loss, which predicts the conditional ``quantile``:
        two regressors of quantiles 0.05 and 0.95 bound a 90% prediction interval.
        """,
    ),
    "epsilon": Parameter(
        0.1, [Interval(Real, 0, np.inf, closed="neither")], "float",
        """
        Where ``loss="huber"`` turns from squared to absolute, in standard deviations of
        the training targets (the networks train on standardised targets), as in
        scikit-learn's ``SGDRegressor``. Unused by the other losses.
        """,
    ),
    "quantile": Parameter(
        0.5, [Interval(Real, 0, 1, closed="neither")], "float",
        """
        The quantile that ``loss="quantile"`` predicts, in (0, 1), as in scikit-learn's
        ``HistGradientBoostingRegressor``. Unused by the other losses.
        """,
    ),
    "device": Parameter(
        "auto", [str, torch.device], "str or torch.device",
        'Torch device; ``"auto"`` takes CUDA when available, else the CPU.',
    ),
    "precision": Parameter(
        "float32", [StrOptions({"float32", "bfloat16"})], '{"float32", "bfloat16"}',
        """
        The arithmetic of training. ``"bfloat16"`` runs each training and validation
        forward and backward pass under ``torch.autocast`` in bfloat16 (mixed precision:
        the weights, Adam's state and the loss stay float32): much faster on CPUs with
        AMX or AVX-512 BF16 units and on recent GPUs, far slower on CPUs without AVX-512,
        where torch emulates it (epochs 11-12x as long as in float32 on an AVX2-only AMD
        EPYC; ``fit`` warns there with
        :class:`~inceptionsk.exceptions.EmulatedPrecisionWarning`). Scoring, embeddings
        and maps always compute in float32.
        """,
    ),
    "callbacks": Parameter(
        None, [list, None], "list of skorch callbacks",
        """
        Extra skorch callbacks (or ``(name, callback)`` tuples) added to the recipe's;
        :class:`~inceptionsk.TrainingCheckpoint` among them lets a ``fit`` whose
        process died continue where it stopped.
        """,
        ensemble_doc="""
        Extra skorch callbacks given to every member's net;
        :class:`~inceptionsk.TrainingCheckpoint` among them lets a ``fit`` whose
        process died continue where it stopped, finished members included.
        """,
    ),
    "n_jobs": Parameter(
        # joblib's meaning: None is 1, -1 all cores, -2 all but one; 0 means nothing
        None, [Interval(Integral, None, -1, closed="right"),
               Interval(Integral, 1, None, closed="left"), None], "int",
        """
        Members trained in parallel by joblib (``None`` means 1, ``-1`` all cores);
        joblib's process workers limit their threads to ``cores // n_jobs`` each.
        """,
    ),
    "random_state": Parameter(
        None, ["random_state"], "int, RandomState instance or None",
        "Seeds the weights, the shuffling and the validation split. An int gives "
        "reproducible training.",
        ensemble_doc="Draws one seed per member. An int gives reproducible training.",
    ),
    "verbose": Parameter(
        0, ["verbose"], "int",
        """
        0 prints nothing; 1 shows a progress bar over epochs and a summary line; 2 also
        prints skorch's table of every epoch.
        """,
        ensemble_doc="""
        0 prints nothing; 1 shows a progress bar per member and a summary line each; 2
        also prints skorch's table of every epoch.
        """,
    ),
    "warm_start": Parameter(
        False, ["boolean"], "bool",
        """
        When True, ``fit`` on a fitted network starts from its current weights instead
        of a new initialisation (scikit-learn's ``MLPClassifier``): it trains
        ``max_epochs`` more epochs with a new Adam optimizer, a learning-rate schedule
        started afresh from ``lr``, a new ``history_`` and the weights of the best of
        these epochs kept. X must have the layout, and y the classes (targets), of the
        first fit; a regressor keeps its ``target_scaler_``. See the user guide's page
        "Distil, warm-start, fine-tune".
        """,
        ensemble_doc="""
        When True, ``fit`` on a fitted ensemble keeps its members and trains only the
        new ones that a larger ``n_estimators`` asks for, with the seeds a fresh ``fit``
        would give them (scikit-learn's ``BaggingClassifier``): the same
        ``n_estimators`` trains nothing and warns, a smaller one raises a ValueError.
        X must have the layout, and y the classes (targets), of the first fit. See the
        user guide's page "Distil, warm-start, fine-tune".
        """,
    ),
}


def estimator_parameters(parameters, **blocks):
    """Class decorator: a keyword-only ``__init__`` storing ``parameters``.

    ``parameters`` maps names to :class:`Parameter`, in the order the signature and the
    docstring show them. Also sets ``_parameter_constraints`` and fills the docstring:
    the line ``%(parameters)s`` with the Parameters section, and each ``%(key)s`` line
    with ``blocks[key]``.
    """

    def decorate(cls):
        ensemble = "n_estimators" in parameters
        cls.__annotations__ = dict.fromkeys(parameters, object)
        for name, parameter in parameters.items():
            setattr(cls, name, parameter.default)
        # __init__ only, as scikit-learn wants it: sklearn's BaseEstimator supplies the
        # repr, and estimators compare by identity
        dataclasses.dataclass(cls, kw_only=True, eq=False, repr=False)
        del cls.__annotations__  # the placeholder annotations would show in the signature
        cls.__init__.__annotations__ = {}
        cls._parameter_constraints = {
            name: parameter.constraints for name, parameter in parameters.items()
        }
        entries = "Parameters\n----------\n" + "\n".join(
            parameter.render(name, ensemble) for name, parameter in parameters.items()
        )
        cls.__doc__ = fill_docstring(cls.__doc__, parameters=entries, **blocks)
        return cls

    return decorate


#: The recipe's parameters, which every estimator has.
TRAINING = (
    "recipe", "max_epochs", "batch_size", "lr", "lr_schedule", "weight_init",
    "validation_fraction", "n_iter_no_change",
)


def estimator_class(network, *, classifier, ensemble, overrides=None, **blocks):
    """Class decorator of a concrete estimator: :func:`estimator_parameters` with the
    parameters of its network (``network``: names to :class:`Parameter`), the recipe,
    its task and its kind, in that order, the shared Attributes and Notes blocks, and
    ``blocks``. ``overrides`` (names to :class:`Parameter`) replace shared parameters
    whose default differs for a family."""
    names = (
        ("n_estimators",) * ensemble + TRAINING
        + (("class_weight",) if classifier else ("loss", "epsilon", "quantile"))
        + ("device", "precision", "callbacks") + ("n_jobs",) * ensemble
        + ("random_state", "verbose", "warm_start")
    )
    shared = {name: (overrides or {}).get(name, PARAMETERS[name]) for name in names}
    head = {name: shared.pop(name) for name in ("recipe",) + ("n_estimators",) * ensemble}
    return estimator_parameters(
        {**head, **network, **shared},
        **shared_blocks(classifier=classifier, ensemble=ensemble), **blocks,
    )
