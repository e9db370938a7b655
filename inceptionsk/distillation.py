"""Distillation: one network trained on a fitted ensemble's outputs, to score at a fraction
of the ensemble's cost.

:func:`distill` trains a single-network estimator of the package (the student) with its
own recipe, through skorch, on the loss of Hinton et al. (2015): the teacher's
probabilities travel beside the series in the training input, and
:class:`~inceptionsk.training.DistillationLoss` compares them with the student's.
"""

import copy
from numbers import Real

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.pipeline import Pipeline
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.validation import check_is_fitted

from ._docs import SERIES_PARAMETER, fill_doc
from ._params import TRAINING
from ._validation import validate_target
from .inception_time import InceptionNetworkClassifier, InceptionNetworkRegressor
from .single_network import NetworkEstimator

__all__ = ["distill"]

#: The parameters a default student takes from an InceptionTime teacher: the recipe, the
#: device and the seeding; the network's shape too when the teacher's members are of the
#: student's class.
_RECIPE = (*TRAINING, "class_weight", "device", "precision", "random_state", "verbose")


def _split_pipeline(teacher):
    """``(transformers, final estimator, final step's name)`` of a teacher that may be a
    Pipeline; ``transformers`` is None for a bare estimator."""
    if isinstance(teacher, Pipeline):
        return teacher[:-1], teacher.steps[-1][1], teacher.steps[-1][0]
    return None, teacher, None


def _default_student(final, regression):
    """An InceptionTime network with the teacher's recipe (and the shape of its
    networks, when the teacher is an InceptionTime ensemble)."""
    student_class = InceptionNetworkRegressor if regression else InceptionNetworkClassifier
    names = set(student_class._get_param_names())
    if getattr(final, "_member_class", None) is not student_class:
        names &= set(_RECIPE)
    teacher_params = final.get_params(deep=False) if hasattr(final, "get_params") else {}
    return student_class(**{name: value for name, value in teacher_params.items()
                            if name in names and name != "warm_start"})


def _check_student(student, teacher_final, regression):
    """A clone of ``student``, refused unless it is a single network of the teacher's task."""
    if not isinstance(student, NetworkEstimator):
        raise TypeError(
            f"student must be a single-network estimator of inceptionsk (e.g. "
            f"InceptionNetworkClassifier() or LITENetworkClassifier()), got "
            f"{type(student).__name__}. An ensemble is what distillation replaces; pass "
            "one network."
        )
    if student._regression != regression:
        task = "a regressor" if regression else "a classifier"
        raise ValueError(
            f"The teacher {type(teacher_final).__name__} is {task}, but the student "
            f"{type(student).__name__} is not: distil a classifier into a "
            "...NetworkClassifier and a regressor into a ...NetworkRegressor."
        )
    return clone(student)


@validate_params(
    {
        "teacher": [object],
        "X": ["array-like", list],
        "y": ["array-like"],
        "student": [object, None],  # _check_student says what a student must be
        "temperature": [Interval(Real, 0, np.inf, closed="neither")],
        "alpha": [Interval(Real, 0, 1, closed="both")],
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
@fill_doc(series=SERIES_PARAMETER)
def distill(teacher, X, y, student=None, *, temperature=4.0, alpha=0.5, sample_weight=None):
    """Train one network on a fitted ensemble's outputs (knowledge distillation).

    The student, a single network, learns from the teacher's class probabilities on X
    (Hinton et al. 2015 [1]_): its loss per case is ``alpha`` times the
    temperature-scaled Kullback-Leibler divergence ``T**2 * KL(softmax(t / T) ||
    softmax(s / T))`` between the teacher's "logits" ``t`` (the log of its averaged
    probabilities) and the student's logits ``s``, plus ``1 - alpha`` times the
    cross-entropy on the true labels ``y``. The student trains with its own recipe
    (epochs, schedule, keep-best weights on the training loss, which is this loss), and
    scores like any network of the package: one network's cost instead of the
    ensemble's ``n_estimators``.

    A regression teacher is distilled on its predictions: ``alpha`` times the squared
    error to the teacher's prediction plus ``1 - alpha`` times the squared error to
    ``y`` (both in the student's standardised target units; ``temperature`` is unused).

    Parameters
    ----------
    teacher : fitted estimator or Pipeline
        A fitted classifier with ``predict_proba`` and ``classes_`` (or a fitted
        regressor), typically an ensemble such as
        :class:`~inceptionsk.InceptionTimeClassifier`; or a fitted Pipeline of
        transformers ending in one, whose transformers the student then shares.
    %(series)s
    y : array-like of shape (n_cases,) or (n_cases, n_outputs)
        The true labels (targets). A classifier teacher must have been fitted on the
        same classes as ``y`` holds.
    student : estimator, default=None
        An unfitted single-network estimator (e.g.
        :class:`~inceptionsk.LITENetworkClassifier` for the smallest network), whose
        parameters the student takes; it is cloned, never changed. None gives an
        :class:`~inceptionsk.InceptionNetworkClassifier` (``...Regressor``) with the
        teacher's recipe, device and ``random_state``, and the shape of its networks
        when the teacher is an InceptionTime ensemble.
    temperature : float, default=4.0
        ``T``: softens both distributions, so that the teacher's small probabilities
        (which classes it finds alike) weigh in the loss. Hinton et al. use 1 to 20.
    alpha : float, default=0.5
        Weight of the teacher's term; ``1 - alpha`` weighs the true labels' term.
        ``alpha=0`` trains on the labels alone.
    sample_weight : array-like of shape (n_cases,), default=None
        Weights of the cases in the loss, as in ``fit``.

    Returns
    -------
    student : estimator or Pipeline
        The fitted student, an ordinary estimator of its class (``save``,
        :func:`~inceptionsk.export_onnx`, Pipelines; ``clone`` gives the unfitted
        student). For a Pipeline teacher, a Pipeline of copies of the teacher's fitted
        transformers and the student.

    Notes
    -----
    The teacher scores the training cases it learned, where an ensemble trained to a
    low training loss is confident; the temperature recovers what its probabilities
    still say about the other classes. ``resume`` on an interrupted student trains the
    remaining epochs on ``y`` alone (cross-entropy), as there is no teacher then.

    References
    ----------
    .. [1] G. Hinton, O. Vinyals and J. Dean. "Distilling the Knowledge in a Neural
       Network". NIPS Deep Learning Workshop, 2015. arXiv:1503.02531.

    Examples
    --------
    >>> from inceptionsk import InceptionTimeClassifier, distill
    >>> from inceptionsk.datasets import load_gunpoint
    >>> X, y = load_gunpoint(split="train", return_X_y=True)
    >>> teacher = InceptionTimeClassifier(n_estimators=2, n_filters=4, depth=2,
    ...                                   max_epochs=2, random_state=0).fit(X, y)
    >>> student = distill(teacher, X, y)
    >>> type(student).__name__, student.n_filters, student.predict(X[:3]).shape
    ('InceptionNetworkClassifier', 4, (3,))
    """
    transformers, final, name = _split_pipeline(teacher)
    check_is_fitted(teacher)
    regression = not is_classifier(final)
    if student is None:
        student = _default_student(final, regression)
    student = _check_student(student, final, regression)
    student._validate_params()
    outputs = teacher.predict(X) if regression else teacher.predict_proba(X)
    y_checked = validate_target(y, len(outputs), regression=regression)
    if not regression:
        classes = np.unique(y_checked)
        if not np.array_equal(classes, final.classes_):
            raise ValueError(
                f"The teacher was fitted on the classes {final.classes_.tolist()}, but y "
                f"holds {classes.tolist()}: its probabilities do not match y's classes. "
                "Distil on data of the classes the teacher learned (e.g. its training set)."
            )
    series = X if transformers is None else transformers.transform(X)
    student._validate_and_fit(
        series, y, sample_weight,
        teacher=(outputs, {"temperature": float(temperature), "alpha": float(alpha)}),
    )
    if transformers is None:
        return student
    # copies, so that refitting the teacher later does not change the student's input
    return Pipeline([(step, copy.deepcopy(t)) for step, t in transformers.steps]
                    + [(name, student)])
