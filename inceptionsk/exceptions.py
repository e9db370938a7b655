"""Warnings that the estimators issue (the counterpart of :mod:`sklearn.exceptions`)."""

__all__ = ["TrainingInterruptedWarning"]


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
