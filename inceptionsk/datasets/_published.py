"""The accuracies published for InceptionTime, to put our results beside the paper's.

``data/inceptiontime_published.csv`` holds the official per-dataset test accuracy of the
5-network ensemble (Ismail Fawaz et al. 2020, hfawaz/InceptionTime) on the default
train/test splits of the UCR 2018 archive (128 datasets) and of 30 UEA 2018 multivariate
datasets, with the reported training time (seconds, on a GPU, 2019).
"""

import csv
from functools import cache
from importlib import resources
from typing import NamedTuple

__all__ = [
    "PublishedResult", "load_published_results", "published_accuracy", "published_result",
]


class PublishedResult(NamedTuple):
    """One row of the published results."""

    #: ``"UCR2018"`` (univariate) or ``"UEA2018"`` (multivariate).
    archive: str
    #: The archive's name of the dataset, e.g. ``"GunPoint"``.
    dataset: str
    #: Test accuracy of the 5-network ensemble on the default train/test split.
    accuracy: float
    #: Training time in seconds as reported (on a GPU, 2019).
    train_time_s: float


@cache
def load_published_results():
    """All published InceptionTime results: a tuple of :class:`PublishedResult`.

    Returns
    -------
    results : tuple of PublishedResult
        ``archive`` ("UCR2018" or "UEA2018"), ``dataset``, ``accuracy`` (test accuracy of
        the 5-network ensemble) and ``train_time_s`` (as reported, on a GPU).

    Examples
    --------
    >>> from inceptionsk.datasets import load_published_results
    >>> results = load_published_results()
    >>> len(results), results[0].archive
    (158, 'UCR2018')
    """
    path = resources.files(__package__).joinpath("data", "inceptiontime_published.csv")
    with path.open(encoding="utf-8", newline="") as file:
        return tuple(
            PublishedResult(row["archive"], row["dataset"], float(row["accuracy"]),
                            float(row["train_time_s"]))
            for row in csv.DictReader(file)
        )


def published_result(dataset, *, archive=None, n_channels=None):
    """The published row of a dataset: a :class:`PublishedResult`, or None when unknown.

    Parameters
    ----------
    dataset : str
        The archive's dataset name, matched without regard to case (``"gunpoint"``).
    archive : {"UCR2018", "UEA2018"}, default=None
        The archive, needed only for a name in both (``"Phoneme"``).
    n_channels : int, default=None
        Tells such a name apart when ``archive`` is None: 1 channel is the univariate
        UCR archive, more the multivariate UEA archive.

    Returns
    -------
    result : PublishedResult or None

    Raises
    ------
    ValueError
        When the name is in both archives and neither ``archive`` nor ``n_channels``
        tells which.

    Examples
    --------
    >>> from inceptionsk.datasets import published_result
    >>> published_result("Phoneme", n_channels=11)
    PublishedResult(archive='UEA2018', dataset='Phoneme', accuracy=0.3937, train_time_s=14433.4)
    """
    matches = [
        result for result in load_published_results()
        if result.dataset.lower() == str(dataset).lower()
        and (archive is None or result.archive.lower() == archive.lower())
    ]
    if len(matches) > 1 and n_channels is not None:
        by_channels = "UCR2018" if n_channels == 1 else "UEA2018"
        matches = [result for result in matches if result.archive == by_channels]
    if len(matches) > 1:
        raise ValueError(
            f"{dataset!r} is in several archives ("
            f"{', '.join(result.archive for result in matches)}); pass archive=."
        )
    return matches[0] if matches else None


def published_accuracy(dataset, *, archive=None, n_channels=None):
    """The published test accuracy of InceptionTime on a dataset, or None when unknown.

    Parameters
    ----------
    dataset : str
        The archive's dataset name, matched without regard to case (``"gunpoint"``).
    archive : {"UCR2018", "UEA2018"}, default=None
        The archive, needed only for a name in both (``"Phoneme"``).
    n_channels : int, default=None
        Tells such a name apart when ``archive`` is None (1: UCR, more: UEA).

    Returns
    -------
    accuracy : float or None
        The 5-network ensemble's test accuracy on the default split; None when the
        dataset is not in the published results.

    Raises
    ------
    ValueError
        When the name is in both archives and neither ``archive`` nor ``n_channels``
        tells which.

    See Also
    --------
    published_result : The whole row, with the archive and the training time.

    Examples
    --------
    >>> from inceptionsk.datasets import published_accuracy
    >>> published_accuracy("GunPoint"), published_accuracy("ItalyPowerDemand")
    (1.0, 0.965)
    >>> published_accuracy("MyOwnData") is None
    True
    >>> published_accuracy("Phoneme", archive="UEA2018")
    0.3937
    """
    result = published_result(dataset, archive=archive, n_channels=n_channels)
    return None if result is None else result.accuracy
