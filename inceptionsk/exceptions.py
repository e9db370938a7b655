"""Warnings and errors that the estimators issue (the counterpart of :mod:`sklearn.exceptions`)."""

import inspect
from pathlib import Path

import sklearn

__all__ = ["TrainingDivergedError", "TrainingInterruptedWarning"]


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
