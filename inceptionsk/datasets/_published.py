"""The accuracies published for InceptionTime and its family, to put our results beside.

``data/inceptiontime_published.csv`` holds the official per-dataset test accuracy of the
5-network ensemble (Ismail Fawaz et al. 2020, hfawaz/InceptionTime) on the default
train/test splits of the UCR 2018 archive (128 datasets) and of 30 UEA 2018 multivariate
datasets, with the reported training time (seconds, on a GPU, 2019).
``data/family_published.csv`` holds the authors' published results of the follow-ups:
H-InceptionTime (the ensemble) and H-Inception (the mean of its 5 networks) on UCR-128
(Ismail-Fawaz et al. 2022; MSD-IRIMAS/CF-4-TSC), LITETime and LITE (the mean of 5 single
networks) on UCR-128 and 30 UEA datasets (Ismail-Fawaz et al. 2023; MSD-IRIMAS/LITE).
Its UEA rows and training times agree with the authors' ``results-mts.csv`` (added to
hfawaz/InceptionTime in commit 0d623a3, removed in 365ce4d) to the 4 decimals kept here.

``data/inception_single_runs_ucr.csv`` (``dataset,iteration,accuracy,duration_s``; 640
rows) holds the five single Inception networks (iterations 0-4) that make the ensemble,
each trained alone on the default split of the 128 UCR 2018 datasets: test accuracy and
training time in seconds (Keras ``fit``, 2019 GPU; the five add up to the ensemble's
``train_time_s``). Source: hfawaz/InceptionTime, ``results-inception-128.csv`` (commit
952d115), values copied unchanged.

``data/tser_published_rmse.csv`` (63 rows) holds the test RMSE on the default train/test
split (fold 0) of every dataset of the TSER archive expansion study (Guijo-Rubio et al.
2024): one column per regressor of its study 5.A.2 (1NN-DTW, 1NN-ED, 5NN-DTW, 5NN-ED, FCN,
FPCR-Bs, FPCR, Grid-SVR, Inception, ROCKET, RandF, ResNet, XGBoost), then ``InceptionE``
from study 5.B. ``Inception`` is one network (aeon's ``IndividualInceptionRegressor``),
``InceptionE`` aeon's ``InceptionTimeRegressor``, an ensemble of 5: the published
comparison of :class:`~inceptionsk.InceptionTimeRegressor`. ``InceptionE`` is empty for
AustraliaRainfall, which 5.B does not include. Dataset names (with their ``_nmv`` and
``_eq`` suffixes) and full float precision are the source's. Source:
time-series-machine-learning/tsml-eval @ b716654,
``tsml_eval/publications/y2023/tser_archive_expansion/results/5.A.2/*_rmse.csv`` and
``.../5.B/InceptionE_rmse.csv``.
"""

import csv
from functools import cache
from importlib import resources
from typing import NamedTuple

from .._docs import fill_doc

__all__ = [
    "MODELS", "TSER_MODELS", "PublishedResult", "load_published_results", "published_accuracy",
    "published_result", "published_rmse", "published_single_runs",
]


class PublishedResult(NamedTuple):
    """One row of the published results.

    Parameters
    ----------
    archive : str
        ``"UCR2018"`` (univariate) or ``"UEA2018"`` (multivariate).
    dataset : str
        The archive's name of the dataset, e.g. ``"GunPoint"``.
    accuracy : float
        Test accuracy of the 5-network ensemble on the default train/test split.
    train_time_s : float, default=None
        Training time in seconds as reported (on a GPU, 2019); None when not published.
    model : str, default="InceptionTime"
        The model: one of :data:`MODELS`.

    Examples
    --------
    >>> from inceptionsk.datasets import published_result
    >>> published_result("GunPoint")
    PublishedResult(archive='UCR2018', dataset='GunPoint', accuracy=1.0, train_time_s=...,
                    model='InceptionTime')
    """

    archive: str
    dataset: str
    accuracy: float
    train_time_s: float = None
    model: str = "InceptionTime"


#: The models with published results: the ensembles of 5 networks (InceptionTime,
#: H-InceptionTime, LITETime), and the mean accuracy of 5 single networks (H-Inception, LITE).
MODELS = ("InceptionTime", "H-InceptionTime", "H-Inception", "LITETime", "LITE")


@cache
def load_published_results(model="InceptionTime"):
    """All published results of a model: a tuple of :class:`PublishedResult`.

    Parameters
    ----------
    model : {"InceptionTime", "H-InceptionTime", "H-Inception", "LITETime", "LITE"}, \
default="InceptionTime"
        The ensembles of 5 networks, or (H-Inception, LITE) the mean accuracy of their 5
        single networks.

    Returns
    -------
    results : tuple of PublishedResult
        ``archive`` ("UCR2018" or "UEA2018"), ``dataset``, ``accuracy`` (test accuracy on
        the default split), ``train_time_s`` (InceptionTime's, as reported on a GPU) and
        ``model``.

    Examples
    --------
    >>> from inceptionsk.datasets import load_published_results
    >>> results = load_published_results()
    >>> len(results), results[0].archive
    (158, 'UCR2018')
    >>> len(load_published_results("H-InceptionTime")), len(load_published_results("LITETime"))
    (128, 158)
    """
    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}; got {model!r}.")
    name = "inceptiontime_published.csv" if model == "InceptionTime" else "family_published.csv"
    with resources.files(__package__).joinpath("data", name).open(
            encoding="utf-8", newline="") as file:
        return tuple(
            PublishedResult(row["archive"], row["dataset"], float(row["accuracy"]),
                            float(row["train_time_s"]) if "train_time_s" in row else None,
                            model)
            for row in csv.DictReader(file) if row.get("model", model) == model
        )


#: The Parameters of the look-ups below.
_LOOKUP_PARAMETERS = """\
dataset : str
    The archive's dataset name, matched without regard to case (``"gunpoint"``).
model : str, default="InceptionTime"
    One of :data:`MODELS` (see :func:`load_published_results`).
archive : {"UCR2018", "UEA2018"}, default=None
    The archive, needed only for a name in both (``"Phoneme"``).
n_channels : int, default=None
    Tells such a name apart when ``archive`` is None: 1 channel is the univariate
    UCR archive, more the multivariate UEA archive.
"""


@fill_doc(parameters=_LOOKUP_PARAMETERS)
def published_result(dataset, *, model="InceptionTime", archive=None, n_channels=None):
    """The published row of a dataset: a :class:`PublishedResult`, or None when unknown.

    Parameters
    ----------
    %(parameters)s

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
    PublishedResult(archive='UEA2018', dataset='Phoneme', accuracy=0.3937,
                    train_time_s=14433.4, model='InceptionTime')
    >>> published_result("GunPoint", model="LITETime").accuracy
    1.0
    """
    matches = [
        result for result in load_published_results(model)
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


@fill_doc(parameters=_LOOKUP_PARAMETERS)
def published_accuracy(dataset, *, model="InceptionTime", archive=None, n_channels=None):
    """The published test accuracy of InceptionTime (or ``model``) on a dataset, or None.

    Parameters
    ----------
    %(parameters)s

    Returns
    -------
    accuracy : float or None
        The test accuracy on the default split (of the 5-network ensemble, or the mean of
        5 networks for H-Inception and LITE); None when the dataset is not in the
        published results.

    Raises
    ------
    ValueError
        As :func:`published_result` does, for a name in both archives.

    See Also
    --------
    published_result : The whole row, with the archive and the training time.

    Examples
    --------
    >>> from inceptionsk.datasets import published_accuracy
    >>> published_accuracy("GunPoint"), published_accuracy("ItalyPowerDemand")
    (1.0, 0.965)
    >>> published_accuracy("ItalyPowerDemand", model="H-InceptionTime")
    0.9689
    >>> published_accuracy("MyOwnData") is None
    True
    >>> published_accuracy("Phoneme", archive="UEA2018")
    0.3937
    """
    result = published_result(dataset, model=model, archive=archive, n_channels=n_channels)
    return None if result is None else result.accuracy


def _read_table(name):
    with resources.files(__package__).joinpath("data", name).open(
            encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


@cache
def _single_runs():
    runs = {}
    for row in _read_table("inception_single_runs_ucr.csv"):
        runs.setdefault(row["dataset"].lower(), []).append(
            (int(row["iteration"]), float(row["accuracy"])))
    return {name: tuple(accuracy for _, accuracy in sorted(pairs))
            for name, pairs in runs.items()}


def published_single_runs(dataset):
    """The test accuracies of the paper's five single Inception networks on a UCR dataset.

    InceptionTime is the ensemble of these five networks; their spread is the paper's own
    run-to-run noise, against which one result of ours can be judged.

    Parameters
    ----------
    dataset : str
        The UCR 2018 name of the dataset, matched without regard to case.

    Returns
    -------
    accuracies : tuple of 5 floats or None
        The accuracies of iterations 0 to 4; None when the dataset is not one of the 128
        UCR 2018 datasets.

    See Also
    --------
    published_result : The ensemble's accuracy and training time.

    Examples
    --------
    >>> from inceptionsk.datasets import published_single_runs
    >>> runs = published_single_runs("Beef")
    >>> round(min(runs), 4), round(max(runs), 4)
    (0.6333, 0.7333)
    >>> published_single_runs("MyOwnData") is None
    True
    """
    return _single_runs().get(str(dataset).lower())


@cache
def _tser_table():
    return {row["dataset"]: row for row in _read_table("tser_published_rmse.csv")}


#: The regressors with a published RMSE on the TSER archive (its expansion study, fold 0):
#: ``InceptionE`` is aeon's 5-network InceptionTimeRegressor, ``Inception`` one network.
TSER_MODELS = (
    "1NN-DTW", "1NN-ED", "5NN-DTW", "5NN-ED", "FCN", "FPCR-Bs", "FPCR", "Grid-SVR",
    "Inception", "ROCKET", "RandF", "ResNet", "XGBoost", "InceptionE",
)


def published_rmse(dataset, *, model="InceptionE"):
    """The published test RMSE of a regressor on a TSER dataset (the default split).

    Parameters
    ----------
    dataset : str
        The TSER name of the dataset, matched without regard to case and to the
        ``_nmv`` / ``_eq`` suffixes of the study's names (``"BeijingPM10Quality"``
        finds ``BeijingPM10Quality_nmv``).
    model : str, default="InceptionE"
        One of :data:`TSER_MODELS`. ``"InceptionE"``, aeon's ensemble of 5 Inception
        networks, is the published counterpart of
        :class:`~inceptionsk.InceptionTimeRegressor`.

    Returns
    -------
    rmse : float or None
        None when the dataset (or that model's result on it) is not published.

    Examples
    --------
    >>> from inceptionsk.datasets import published_rmse
    >>> round(published_rmse("Covid3Month"), 4)
    0.0547
    >>> published_rmse("MyOwnData") is None
    True
    """
    if model not in TSER_MODELS:
        raise ValueError(f"model must be one of {', '.join(TSER_MODELS)}; got {model!r}.")
    wanted = str(dataset).lower()
    for name, row in _tser_table().items():
        base = name.lower().removesuffix("_nmv").removesuffix("_eq")
        if wanted in (name.lower(), base):
            return float(row[model]) if row[model] else None
    return None
