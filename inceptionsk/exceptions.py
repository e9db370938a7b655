"""Warnings and errors that the estimators issue (the counterpart of :mod:`sklearn.exceptions`)."""

import inspect
from pathlib import Path

import sklearn

__all__ = [
    "DamagedFileError", "EmulatedPrecisionWarning", "TrainingDivergedError",
    "TrainingInterruptedWarning", "UnverifiedFileWarning", "WorkerDiedError",
]


class EmulatedPrecisionWarning(UserWarning):
    """``precision="bfloat16"`` asked for on a CPU that has no bfloat16 kernels.

    Without AVX-512 (or Arm's BF16 instructions) oneDNN, torch's CPU backend for
    convolutions, has no bfloat16 kernels, and autocast falls back to emulated ones: the
    results are as valid, but on a 2-core AMD EPYC with AVX2 only, training epochs took
    11-12x as long as in float32. Train in float32 there; bfloat16 pays on CPUs with
    AVX-512 BF16 or AMX units and on recent GPUs.

    Examples
    --------
    >>> from inceptionsk.exceptions import EmulatedPrecisionWarning
    >>> issubclass(EmulatedPrecisionWarning, UserWarning)
    True
    """


class TrainingInterruptedWarning(UserWarning):
    """Training stopped early on a ``KeyboardInterrupt``; the estimator kept what it had.

    The estimator is fitted with the epochs (and, for an ensemble, the members) trained
    before the interrupt, and ``resume(X, y)`` trains the rest. Filter this warning with
    :func:`warnings.filterwarnings` like any other.

    Examples
    --------
    >>> import warnings
    >>> from inceptionsk.exceptions import TrainingInterruptedWarning
    >>> warnings.filterwarnings("error", category=TrainingInterruptedWarning)
    >>> warnings.resetwarnings()
    """


class TrainingDivergedError(ValueError):
    """Training turned the network's weights into NaN or infinite values.

    A ``ValueError``, as the data (values too large, unscaled) or the learning rate
    are to blame; the message says which values X held and what to change. The
    estimator is left unfitted.

    Examples
    --------
    >>> from inceptionsk.exceptions import TrainingDivergedError
    >>> issubclass(TrainingDivergedError, ValueError)
    True
    """


class DamagedFileError(ValueError):
    """A model file changed after :func:`~inceptionsk.save` wrote it, or was cut short.

    :func:`~inceptionsk.load` checks a file's SHA-256 digest and size against those its
    header records before it reads anything else, and refuses a file that differs; the
    message gives the path and both digests (or sizes). A ``ValueError``, as for any
    other file that is not a readable model.

    Examples
    --------
    >>> from inceptionsk.exceptions import DamagedFileError
    >>> issubclass(DamagedFileError, ValueError)
    True
    """


class UnverifiedFileWarning(UserWarning):
    """A model file of format version 1 (inceptionsk 0.1) loaded without a check.

    Those files carry no checksum, so damage to them may go unnoticed; saving the
    loaded model again writes the current format, which has one.

    Examples
    --------
    >>> from inceptionsk.exceptions import UnverifiedFileWarning
    >>> issubclass(UnverifiedFileWarning, UserWarning)
    True
    """


class WorkerDiedError(RuntimeError):
    """A worker process that trained an ensemble's member died (killed, out of memory).

    Raised by an ensemble's ``fit`` or ``resume`` with ``n_jobs`` other than 1; the
    message names the member (its index and ``random_state``) whose worker died, when
    it can be told. As after an interrupt, the ensemble keeps the members that finished
    before (``interrupted_`` is True), so ``resume(X, y)`` trains the rest; with no
    member finished it is left unfitted.

    Examples
    --------
    >>> from inceptionsk.exceptions import WorkerDiedError
    >>> issubclass(WorkerDiedError, RuntimeError)
    True
    """


#: Frames in these folders are skipped when a warning looks for the user's call.
_INTERNAL = (str(Path(__file__).parent), str(Path(sklearn.__file__).parent))


def find_stack_level():
    """The ``stacklevel`` at which a warning points at the user's code: the first frame
    outside this package and scikit-learn (which wraps ``fit`` and runs Pipelines),
    as pandas finds its own."""
    frame, level = inspect.currentframe(), 0
    while frame is not None and frame.f_code.co_filename.startswith(_INTERNAL):
        frame, level = frame.f_back, level + 1
    return level
