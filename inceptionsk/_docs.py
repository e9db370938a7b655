"""Docstring blocks that several classes or methods share, each written once here.

A docstring holds a line ``%(name)s`` where a block goes, which :func:`fill_docstring`
replaces: the estimators' ``%(attributes)s`` and ``%(notes)s`` through
:func:`inceptionsk._params.estimator_parameters` with :func:`shared_blocks`, the
transformers' and the ``fit``, ``fit_transform`` and ``resume`` methods' through
:func:`fill_doc`.
"""

import re
import textwrap

__all__ = [
    "FIT_PARAMETERS", "RESUME_PARAMETERS", "SERIES_PARAMETER", "TRANSFORMER_BLOCKS", "fill_doc",
    "fill_docstring", "shared_blocks",
]

_LAYOUT = """\
n_features_in_ : int
    ``X.shape[1]`` of the X passed to fit: the number of channels for 3D X, the
    number of time points for 2D X.
n_channels_in_ : int
    Number of channels seen in fit.
n_timepoints_in_ : int
    Series length seen in fit (the longest, for series of unequal lengths).
feature_names_in_ : ndarray of shape (``n_features_in_``,)
    Column names, when fit on a pandas DataFrame with string column names.
"""

_CLASSES = """\
classes_ : ndarray of shape (n_classes,)
    The class labels, sorted.
"""

_OUTPUTS = """\
n_outputs_ : int
    Number of targets.
"""

_NETWORK = """\
net_ : skorch.NeuralNet
    The skorch net that trained the network.
history_ : skorch.History
    The training history: ``history_[:, "train_loss"]`` per epoch, and
    ``valid_loss`` (``valid_acc``) with ``validation_fraction``.
module_ : torch.nn.Module
    The trained network.
interrupted_ : bool
    Whether the last ``fit`` or ``resume`` was interrupted before ``max_epochs``.
stopped_early_ : bool
    Whether the last ``fit`` or ``resume`` ended by early stopping
    (``n_iter_no_change``, or an ``EarlyStopping`` in ``callbacks``).
"""

_TARGET_SCALER = """\
target_scaler_ : sklearn.preprocessing.StandardScaler
    The network learns standardised targets; predictions are scaled back.
"""

_MEMBERS = """\
estimators_ : list of estimators
    The fitted members, one network each; ``estimators_[i].history_`` holds a
    member's training curve.
interrupted_ : bool
    Whether the last ``fit`` or ``resume`` was interrupted: ``estimators_`` may hold
    fewer than ``n_estimators`` members, the last with fewer epochs.
"""

_INPUT_NOTE = """\
**Input.** Series at predict must have the channels seen in fit. An estimator fitted
on equal-length series refuses other lengths: the networks are length-agnostic after
their global pooling, but for 2D X the time points are scikit-learn's features, whose
count must not change; fitted on series of unequal lengths (a list of 2D arrays), it
scores series of any length, and the networks leave the padding out of batch-norm
statistics, max-pooling and pooling. NaN, infinite values and values beyond float32 are
refused with their count and position; fill gaps with
:class:`~inceptionsk.SeriesImputer` in a Pipeline. Scoring runs in chunks of exactly
``batch_size`` cases (larger on a GPU), the last one padded, so memory stays bounded and
a case's output does not depend on the other cases scored with it.
"""

_INTERRUPT_NOTE = """\
**Interrupts.** A ``KeyboardInterrupt`` (Ctrl-C) during ``fit`` keeps the epochs
completed: skorch stops the training and restores the best weights so far, an epoch cut
short is dropped from ``history_``, ``interrupted_`` is set and a
:class:`~inceptionsk.exceptions.TrainingInterruptedWarning` says what was kept. The
estimator predicts as is, and ``resume(X, y)`` trains the remaining epochs. An interrupt
before the first epoch completes keeps nothing and propagates. A stop by skorch's
``EarlyStopping`` (``n_iter_no_change``, or one in ``callbacks``) is no interrupt.
"""

_ENSEMBLE_INTERRUPT_NOTE = """\
**Interrupts.** A ``KeyboardInterrupt`` (Ctrl-C) during ``fit`` keeps the members
trained so far, and the member being trained with its completed epochs (its best weights
so far); no further member starts, ``interrupted_`` is set and one
:class:`~inceptionsk.exceptions.TrainingInterruptedWarning` names the members and
epochs kept. The ensemble predicts with those members as is, and ``resume(X, y)``
completes the interrupted member and trains the missing ones (with the seeds ``fit``
would have used for an int ``random_state``). With ``n_jobs > 1`` the members train in
joblib's worker processes: Ctrl-C in a terminal reaches them and the parent, joblib
stops the workers, and only the members that had already returned are kept. An
interrupt before any network completes an epoch keeps nothing and propagates.
"""

_EMBEDDING_NOTE = """\
**Embeddings.** ``transform(X)`` returns the globally pooled features of each network,
the input of its linear head (``module_.fc.in_features`` per network: ``4 * n_filters``
for InceptionTime, ``n_filters`` for LITE; an ensemble's members side by side), so that a
fitted estimator is also a transformer in a Pipeline.
"""

_CLASS_MAP_NOTE = """\
**Class activation maps.** ``class_activation_map(X)`` returns each series' map over its
time steps for the predicted class, or for labels given (Zhou et al. 2016). It is exact:
its mean over the series' steps plus the head's bias is the class's logit.
"""

_REGRESSION_MAP_NOTE = """\
**Activation maps.** ``regression_activation_map(X)`` returns each series' map over its
time steps for each target, in the target's units (the class activation map of Zhou et
al. 2016). It is exact: its mean over the series' steps plus an offset is the prediction.
"""

_SAVING_NOTE = """\
**Saving.** ``save(path)`` writes one file that :func:`inceptionsk.load` reads back
without unpickling code, on the CPU by default (see :mod:`inceptionsk.persistence`);
pickle and joblib work too.
"""


#: The Parameters of ``fit`` and ``fit_transform``, in the single networks and the ensembles.
FIT_PARAMETERS = """\
X : array-like of shape (n_cases, n_channels, n_timepoints) or (n_cases, \
n_timepoints), or list of arrays of shape (n_channels, n_timepoints_i)
    Training series; a 2D array is one channel, a list holds series of unequal
    lengths.
y : array-like of shape (n_cases,) or (n_cases, n_outputs)
    Class labels (classifier) or targets (regressor).
sample_weight : array-like of shape (n_cases,), default=None
    Weight of each case in the loss (of every member, in an ensemble); None weighs all
    cases alike.
"""

#: The ``X`` of the methods that score or explain series.
SERIES_PARAMETER = """\
X : array-like of shape (n_cases, n_channels, n_timepoints) or (n_cases, \
n_timepoints), or list of arrays of shape (n_channels, n_timepoints_i)
    The series.
"""

#: The Parameters of ``resume``, in the single networks and the ensembles.
RESUME_PARAMETERS = """\
X : array-like of shape (n_cases, n_channels, n_timepoints) or (n_cases, \
n_timepoints), or list of arrays of shape (n_channels, n_timepoints_i)
    The training series given to ``fit``.
y : array-like of shape (n_cases,) or (n_cases, n_outputs)
    The labels (or targets) given to ``fit``.
sample_weight : array-like of shape (n_cases,), default=None
    The weights given to ``fit``.
"""

#: The blocks of the transformers' docstrings.
TRANSFORMER_BLOCKS = {"attributes": _LAYOUT}


def fill_docstring(docstring, **blocks):
    """Replace each line ``%(name)s`` of ``docstring`` with ``blocks[name]``, indented as
    that line."""

    def replace(match):
        return textwrap.indent(blocks[match.group(2)].strip("\n"), match.group(1))

    return re.sub(r"^( *)%\((\w+)\)s$", replace, docstring, flags=re.MULTILINE)


def fill_doc(**blocks):
    """Class or function decorator: :func:`fill_docstring` on its docstring."""

    def decorate(obj):
        obj.__doc__ = fill_docstring(obj.__doc__, **blocks)
        return obj

    return decorate


def shared_blocks(*, classifier, ensemble):
    """The Attributes and Notes sections of an estimator's docstring, headers included:
    the ``attributes`` and ``notes`` blocks."""
    task = _CLASSES if classifier else _OUTPUTS
    if ensemble:
        attributes = task + _LAYOUT + _MEMBERS
        interrupts = _ENSEMBLE_INTERRUPT_NOTE
    else:
        attributes = task + _LAYOUT + (_NETWORK if classifier else _TARGET_SCALER + _NETWORK)
        interrupts = _INTERRUPT_NOTE
    maps = _CLASS_MAP_NOTE if classifier else _REGRESSION_MAP_NOTE
    notes = [_INPUT_NOTE, interrupts, _EMBEDDING_NOTE, maps, _SAVING_NOTE]
    return {"attributes": "Attributes\n----------\n" + attributes,
            "notes": "Notes\n-----\n" + "\n".join(notes)}
