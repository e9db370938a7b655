"""``run_benchmark``: a model and a recipe over the datasets of archive folders, beside the
published results, one CSV row per dataset.

What ``inceptionsk benchmark ARCHIVE_DIR`` runs. Each dataset folder (``<Name>/`` holding
``<Name>_TRAIN`` and ``<Name>_TEST`` in the UCR ``.tsv`` layout or the UEA/TSER ``.ts``
layout) is loaded, trained on its TRAIN split, scored on its TEST split (accuracy for a
class label, RMSE for a numeric target), and put beside the published result that the
package bundles (:mod:`inceptionsk.datasets`). :class:`BenchmarkResult` summarises the rows
(mean difference, wins/ties/losses, Wilcoxon signed-rank test) and writes them as a
markdown table; :func:`benchmark_report` does so for a results CSV.
"""

import contextlib
import csv
import math
import os
import shutil
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import accuracy_score, mean_squared_error
from sklearn.pipeline import make_pipeline

from ._machine import cpu_model
from ._models import MODELS
from .checkpoint import TrainingCheckpoint
from .datasets import (
    load_dataset,
    published_result,
    published_rmse,
    published_single_runs,
    trim_trailing_nan,
)
from .exceptions import TrainingInterruptedWarning
from .preprocessing import SeriesImputer, SeriesStandardScaler
from .recipes import RECIPES

__all__ = [
    "COLUMNS", "BenchmarkResult", "benchmark_dataset", "benchmark_report", "find_datasets",
    "run_benchmark",
]

#: The columns of a results row, in the CSV's order.
COLUMNS = (
    "dataset", "metric", "score", "published", "difference", "ratio", "seconds",
    "n_train", "n_test", "model", "recipe", "threads", "torch", "cpu",
    "archive", "n_channels", "n_timepoints", "n_classes", "scale", "imputed", "precision",
    "n_estimators", "max_epochs", "lr_schedule", "compute_ratio", "paper_seconds",
    "time_ratio", "single_min", "single_max", "within_single_runs", "error",
)
_FLOATS = {"score", "published", "difference", "ratio", "seconds", "compute_ratio",
           "paper_seconds", "time_ratio", "single_min", "single_max"}
_INTS = {"n_train", "n_test", "threads", "n_channels", "n_classes", "n_estimators",
         "max_epochs"}
_BOOLS = {"imputed", "within_single_runs"}

#: The paper's training compute per dataset: 5 networks x 1500 epochs.
PAPER_COMPUTE = 5 * 1500

#: A dataset counts as clearly lost beyond this accuracy below the published one, or
#: beyond one test case where that is more (fewer than 34 test cases): nearer than that,
#: one run's result is within the noise of a test set.
LOSS_MARGIN = 0.03

#: The columns that say what was run: the rows of one results file must agree on them.
_CONFIGURATION = ("model", "recipe", "precision")

_SUFFIXES = (".tsv", ".ts")

#: Seconds between two saves of a network's training state while a benchmark with
#: ``out`` runs: what a killed run loses at most.
CHECKPOINT_INTERVAL = 60.0


def _train_file(folder):
    """The ``<Name>_TRAIN.tsv`` / ``.ts`` file of a dataset folder (any case), or None."""
    names = {entry.name.lower(): entry for entry in folder.iterdir() if entry.is_file()}
    for suffix in _SUFFIXES:
        found = names.get(f"{folder.name}_train{suffix}".lower())
        if found is not None:
            return found
    return None


def find_datasets(archive_dir, datasets=None):
    """The dataset folders under an archive folder, in the order of their paths.

    Parameters
    ----------
    archive_dir : str or path-like
        One dataset folder (``<Name>/`` holding ``<Name>_TRAIN`` and ``<Name>_TEST`` as
        ``.tsv`` or ``.ts``), an archive folder holding such folders, or a folder above
        several archives: every dataset folder below it is found, in any mix of layouts.
    datasets : str or list of str, default=None
        Only the datasets of these names (without regard to case); a string is a
        comma-separated list (``"GunPoint,Beef"``). None takes all.

    Returns
    -------
    folders : list of Path

    Raises
    ------
    FileNotFoundError
        When ``archive_dir`` is not a folder or holds no dataset folder.
    ValueError
        When a name in ``datasets`` is not found, or two dataset folders have the same
        name (their rows could not be told apart).

    Examples
    --------
    >>> from pathlib import Path
    >>> import tempfile
    >>> from inceptionsk.benchmark import find_datasets
    >>> root = Path(tempfile.mkdtemp())
    >>> for name in ("Beef", "Coffee"):
    ...     (root / "UCR" / name).mkdir(parents=True)
    ...     (root / "UCR" / name / f"{name}_TRAIN.tsv").touch()
    >>> [folder.name for folder in find_datasets(root, datasets="coffee")]
    ['Coffee']
    """
    root = Path(archive_dir).expanduser()
    if not root.is_dir():
        raise FileNotFoundError(
            f"{root} is not a folder: pass an archive folder (holding dataset folders "
            "<Name>/<Name>_TRAIN.tsv or .ts) or one dataset folder."
        )
    found = []
    for dirpath, dirnames, _ in os.walk(root):
        folder = Path(dirpath)
        if _train_file(folder) is not None:
            found.append(folder)
            dirnames.clear()  # a dataset folder holds no further datasets
        else:
            dirnames.sort()
    if not found:
        raise FileNotFoundError(
            f"No dataset folder under {root}: a dataset folder <Name>/ holds "
            "<Name>_TRAIN.tsv and <Name>_TEST.tsv (or .ts)."
        )
    by_name = {}
    for folder in found:
        if folder.name.lower() in by_name:
            raise ValueError(
                f"Two dataset folders are named {folder.name}: {by_name[folder.name.lower()]} "
                f"and {folder}. Benchmark them apart: one run (and one results file) per "
                "archive folder."
            )
        by_name[folder.name.lower()] = folder
    if datasets is None:
        return found
    names = [name.strip() for name in
             (datasets.split(",") if isinstance(datasets, str) else datasets) if name.strip()]
    missing = [name for name in names if name.lower() not in by_name]
    if missing:
        shown = ", ".join(folder.name for folder in found[:20])
        raise ValueError(
            f"No dataset folder named {', '.join(missing)} under {root}; it holds "
            f"{shown}{' and more' if len(found) > 20 else ''}."
        )
    return [by_name[name.lower()] for name in names]


def _has_nan(X):
    if X.dtype == object:
        return any(np.isnan(case).any() for case in X)
    return bool(np.isnan(X).any())


def _prepared(X):
    """X with the NaN that pad the ends of series dropped (the UCR layout of unequal
    lengths): the estimators mask series of unequal length themselves."""
    if X.dtype != object and np.isnan(X).any():
        return trim_trailing_nan(X)
    return X


def _per_series(steps, X):
    """The preprocessing ``steps`` applied to each series of ragged X on its own: the
    transformers take equal lengths only, and learn nothing from other series."""
    prepared = np.empty(len(X), dtype=object)
    for index, case in enumerate(X):
        series = case[np.newaxis]
        for step in steps:
            series = step.fit_transform(series)
        prepared[index] = series[0]
    return prepared


def _layout_of(data):
    """"tsv" or "ts" for a dataset folder or a file of a pair; None for the rest."""
    path = Path(data).expanduser()
    if path.is_dir():
        path = _train_file(path) or path
    suffix = path.suffix.lower()
    return suffix.lstrip(".") if suffix in _SUFFIXES else None


def _archive(name, n_channels, is_regression):
    """The archive a dataset belongs to by the published tables; None when in none."""
    if is_regression:
        return "TSER" if published_rmse(name, model="1NN-ED") is not None else None
    result = published_result(name, n_channels=n_channels)
    return None if result is None else result.archive


def _resolved_scale(scale, archive, layout):
    """What ``scale="auto"`` does: z-normalise each series where the paper's code did.

    The authors' reader of the UCR 2018 archive (hfawaz/dl-4-tsc, ``utils.read_dataset``
    for ``UCRArchive_2018``) z-normalises every series of both splits; their reader of
    the UEA (``mts_archive``) files does not, and the TSER study used the series as
    published. So: ``"series"`` for the UCR archive (and any unknown ``.tsv`` dataset,
    the UCR layout), ``"none"`` for the rest.
    """
    if scale != "auto":
        return scale
    return "series" if archive == "UCR2018" or (archive is None and layout == "tsv") else "none"


def _make_estimator(choice, is_regression, *, recipe, precision, n_estimators, max_epochs,
                    random_state, verbose, params, checkpoints=None):
    cls = choice.regressor if is_regression else choice.estimator
    settings = {**choice.params, "recipe": recipe, "precision": precision,
                "random_state": random_state, "verbose": int(verbose)}
    # only the overrides: None would mean "the recipe's" too, but params may set them
    if n_estimators is not None:
        settings["n_estimators"] = n_estimators
    if max_epochs is not None:
        settings["max_epochs"] = max_epochs
    # a parameter of the other task's estimators alone (a classifier's class_weight, a
    # regressor's loss) applies to that task's datasets, so that one run may mix both
    other = choice.estimator if is_regression else choice.regressor
    own = cls._get_param_names()
    settings.update({name: value for name, value in (params or {}).items()
                     if name in own or name not in other._get_param_names()})
    if checkpoints is not None:
        settings["callbacks"] = [*(settings.get("callbacks") or []),
                                 TrainingCheckpoint(checkpoints, CHECKPOINT_INTERVAL)]
    return cls(**settings)


def _has_checkpoints(folder):
    """Whether an earlier run left training checkpoints in ``folder`` (None: none kept)."""
    return folder is not None and Path(folder).is_dir() and any(Path(folder).iterdir())


def _round(value, digits=4):
    # + 0.0 turns a rounded -0.0 into 0.0, which prints without a minus sign
    return round(float(value), digits) + 0.0


def _significant(value, digits=6):
    return float(f"{float(value):.{digits}g}")


def benchmark_dataset(data, *, model="inceptiontime", recipe="paper", precision="float32",
                      n_estimators=None, max_epochs=None, scale="auto", random_state=0,
                      verbose=False, params=None, allow_pickle=False):
    """Train on one dataset's TRAIN split, score its TEST split, beside the published result.

    One row of :func:`run_benchmark`, which calls it for each dataset folder (and catches
    its errors); the parameters are that function's.

    Parameters
    ----------
    data : str or path-like
        Anything :func:`~inceptionsk.datasets.load_dataset` takes: a dataset folder, a
        ``.ts``/``.tsv`` file of a pair, an ``.npz`` file, a bundled dataset's name.
    model, recipe, precision, n_estimators, max_epochs, scale, random_state, verbose, \
params
        As in :func:`run_benchmark`.
    allow_pickle : bool, default=False
        Let an ``.npz`` file hold object arrays (series of unequal length): only for
        files you trust.

    Returns
    -------
    row : dict
        The keys of :data:`COLUMNS`, None where empty (``error`` among them).

    Raises
    ------
    Exception
        Whatever loading or training raised.

    Examples
    --------
    >>> from inceptionsk.benchmark import benchmark_dataset
    >>> row = benchmark_dataset("BasicMotions", n_estimators=1, max_epochs=1,
    ...                         params={"n_filters": 4, "depth": 1})
    >>> row["archive"], row["published"], row["scale"], row["n_estimators"]
    ('UEA2018', 1.0, 'none', 1)
    """
    row = _run_one(data, model=model, recipe=recipe, precision=precision,
                   n_estimators=n_estimators, max_epochs=max_epochs, scale=scale,
                   random_state=random_state, verbose=verbose, params=params,
                   allow_pickle=allow_pickle)
    return {column: row.get(column) for column in COLUMNS}


def _configuration(model, recipe, precision):
    """The columns every row has, whether its dataset ran or failed."""
    return dict(model=model, recipe=recipe, precision=precision,
                threads=torch.get_num_threads(), torch=torch.__version__, cpu=cpu_model())


def _run_one(data, *, model, recipe, precision, n_estimators, max_epochs, scale,
             random_state, verbose, params, allow_pickle=False, checkpoints=None):
    """Train and score one dataset; return its row (raises on any failure).

    ``checkpoints``: a folder for the networks' training checkpoints
    (:class:`~inceptionsk.TrainingCheckpoint`), from which a training that an
    earlier process left unfinished continues.
    """
    choice = MODELS[model]
    train = load_dataset(data, split="train", allow_pickle=allow_pickle)
    test = load_dataset(data, split="test", allow_pickle=allow_pickle)
    name = train.name
    X_train, X_test = _prepared(train.data), _prepared(test.data)
    y_train, y_test = train.target, test.target
    if y_train is None or y_test is None:
        raise ValueError(f"{name} has no labels or targets; the benchmark needs them.")
    is_regression = train.target_names is None
    layout = _layout_of(data)
    n_channels = X_train[0].shape[0]
    archive = _archive(name, n_channels, is_regression)
    row = {"dataset": name, "metric": "rmse" if is_regression else "accuracy",
           "archive": archive, "n_train": len(y_train), "n_test": len(y_test),
           "n_channels": n_channels, **_configuration(model, recipe, precision)}
    if X_train.dtype == object or X_test.dtype == object:
        lengths = [case.shape[-1] for X in (X_train, X_test) for case in X]
        row["n_timepoints"] = f"{min(lengths)}-{max(lengths)}"
    else:
        row["n_timepoints"] = str(X_train.shape[-1])
    if not is_regression:
        row["n_classes"] = len(np.unique(y_train))

    scale = _resolved_scale(scale, archive, layout)
    imputed = _has_nan(X_train) or _has_nan(X_test)
    steps = [SeriesImputer()] if imputed else []
    if scale == "series":
        steps.append(SeriesStandardScaler())
    row.update(scale=scale, imputed=imputed)
    estimator = _make_estimator(
        choice, is_regression, recipe=recipe, precision=precision, n_estimators=n_estimators,
        max_epochs=max_epochs, random_state=random_state, verbose=verbose, params=params,
        checkpoints=checkpoints,
    )
    # a training continued from an earlier process's checkpoint took more time than
    # this process sees: no time is better than a wrong one
    resumed = _has_checkpoints(checkpoints)
    if steps and (X_train.dtype == object or X_test.dtype == object):
        X_train, X_test = _per_series(steps, X_train), _per_series(steps, X_test)
    elif steps:
        estimator = make_pipeline(*steps, estimator)
    start = time.perf_counter()
    with warnings.catch_warnings():
        # its advice (resume) is the Python API's: the benchmark stops instead, below
        warnings.simplefilter("ignore", TrainingInterruptedWarning)
        estimator.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    if not resumed:
        row["seconds"] = round(seconds, 2)
    y_pred = estimator.predict(X_test)

    ensemble = estimator[-1] if hasattr(estimator, "steps") else estimator
    if ensemble.interrupted_:
        # Ctrl-C: the estimators keep what was trained and return; a row of a partial
        # training would pass for a result, so the run stops as asked, without one
        raise KeyboardInterrupt
    epochs = [len(member.history_) for member in ensemble.estimators_]
    schedule = ensemble._budget(len(y_train)).lr_schedule
    row.update(n_estimators=len(epochs), max_epochs=max(epochs), lr_schedule=schedule,
               compute_ratio=_significant(sum(epochs) / PAPER_COMPUTE, 4))

    if is_regression:
        score = _significant(math.sqrt(mean_squared_error(y_test, y_pred)))
        published = published_rmse(name) if model == "inceptiontime" else None
        row.update(score=score, published=published)
        if published is not None:
            # positive when ours is better (a lower error), as for accuracy
            row.update(difference=_significant(published - score),
                       ratio=_significant(score / published))
        return row
    score = _round(accuracy_score(y_test, y_pred))
    paper = published_result(name, model=choice.published, n_channels=n_channels)
    row["score"] = score
    if paper is not None:
        row.update(published=paper.accuracy, difference=_round(score - paper.accuracy))
    if model == "inceptiontime":
        inception_time = published_result(name, n_channels=n_channels)
        if inception_time is not None and inception_time.train_time_s:
            row["paper_seconds"] = inception_time.train_time_s
            if not resumed:
                row["time_ratio"] = _significant(seconds / inception_time.train_time_s, 4)
        runs = published_single_runs(name) if archive == "UCR2018" else None
        if runs is not None:
            # the table's 4 decimals: 0.6333 is within a run of 0.63333...
            low, high = _round(min(runs)), _round(max(runs))
            row.update(single_min=low, single_max=high, within_single_runs=score >= low)
    return row


def _parse(column, text):
    if text == "":
        return None
    if column in _FLOATS:
        return float(text)
    if column in _INTS:
        return int(text)
    if column in _BOOLS:
        return text == "True"
    return text


def _read_rows(path):
    with open(path, newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        if reader.fieldnames is None:
            return []
        if tuple(reader.fieldnames) != COLUMNS:
            raise ValueError(
                f"{path} is not a results file of this version's benchmark (its columns "
                f"are {', '.join(reader.fieldnames)}): write to another file with out=."
            )
        return [{column: _parse(column, row[column]) for column in COLUMNS}
                for row in reader]


def _write_rows(path, rows, *, mode):
    with open(path, mode, newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        if file.tell() == 0:
            writer.writeheader()
        for row in rows:
            writer.writerow({column: "" if row.get(column) is None else row[column]
                             for column in COLUMNS})
        file.flush()
        os.fsync(file.fileno())


def _wilcoxon_p(differences):
    """The two-sided p-value of the Wilcoxon signed-rank test (scipy's, zeros dropped);
    1.0 when every difference is zero: no evidence of any difference."""
    from scipy.stats import wilcoxon

    differences = np.asarray(differences, dtype=float)
    if not np.any(differences != 0):
        return 1.0
    return float(wilcoxon(differences).pvalue)


def _clearly_lost(row):
    """Whether an accuracy row lies more than ``LOSS_MARGIN``, or one test case where that
    is more, below the published accuracy."""
    margin = LOSS_MARGIN
    if row.get("n_test"):
        margin = max(margin, 1 / row["n_test"])
    # the published accuracies have 4 decimals: a difference of exactly one test case
    # may come out a rounding below it
    return row["difference"] < -margin - 1e-4


@dataclass
class BenchmarkResult:
    """The rows of a benchmark run, their summary and their markdown table.

    Parameters
    ----------
    rows : list of dict
        One dict per dataset with the keys of :data:`COLUMNS` (None where empty).

    Examples
    --------
    >>> from inceptionsk.benchmark import BenchmarkResult
    >>> result = BenchmarkResult([
    ...     {"dataset": "A", "metric": "accuracy", "score": 0.9, "published": 0.8,
    ...      "difference": 0.1},
    ...     {"dataset": "B", "metric": "accuracy", "score": 0.7, "published": 0.75,
    ...      "difference": -0.05},
    ... ])
    >>> summary = result.summary()["accuracy"]
    >>> summary["wins"], summary["losses"], round(summary["mean_difference"], 3)
    (1, 1, 0.025)
    """

    rows: list = field(default_factory=list)

    @classmethod
    def from_csv(cls, path):
        """The rows of a results CSV written by :func:`run_benchmark`.

        Parameters
        ----------
        path : str or path-like

        Returns
        -------
        result : BenchmarkResult
        """
        return cls(_read_rows(path))

    def to_csv(self, path):
        """Write the rows to a CSV file (:data:`COLUMNS`), replacing it.

        Parameters
        ----------
        path : str or path-like
        """
        _write_rows(path, self.rows, mode="w")

    def summary(self):
        """The comparison with the published results, per metric.

        Rows with an error, and rows without a published result, are left out of the
        comparison; ``errors`` counts the first.

        Returns
        -------
        summary : dict
            ``datasets`` and ``errors`` (counts), and for each metric present
            (``"accuracy"``, ``"rmse"``) a dict: ``n`` (datasets compared),
            ``mean_difference`` (ours - published for accuracy, published - ours for RMSE:
            positive means ours is better), ``wins``/``ties``/``losses``, ``wilcoxon_p``
            (the two-sided Wilcoxon signed-rank p-value of the differences, zeros dropped,
            1.0 when all are zero), ``worst`` (the dataset of the lowest difference, and
            that difference), for RMSE ``mean_ratio`` (ours / published), and as pairs
            (how many, out of how many rows that say): ``within_single_runs``,
            ``faster_than_paper`` (``time_ratio`` below 1) and ``as_good_and_faster``
            (that, and a difference of at least 0); for accuracy ``clear_losses``, the
            (dataset, difference) pairs more than ``LOSS_MARGIN`` = 0.03 (or one test case,
            when that is more) below the published result; ``mean_compute_ratio``, the
            mean of ``compute_ratio`` over the rows that give it (None if none does).
        """
        rows = [row for row in self.rows if not row.get("error")]
        summary = {"datasets": len(self.rows), "errors": len(self.rows) - len(rows)}
        for metric in ("accuracy", "rmse"):
            compared = [row for row in rows if row.get("metric") == metric
                        and row.get("difference") is not None]
            if not compared:
                continue
            differences = np.array([row["difference"] for row in compared], dtype=float)
            within = [row["within_single_runs"] for row in compared
                      if row.get("within_single_runs") is not None]
            timed = [row for row in compared if row.get("time_ratio") is not None]
            worst = min(compared, key=lambda row: row["difference"])
            entry = {
                "n": len(compared),
                "mean_difference": float(differences.mean()),
                "wins": int(np.sum(differences > 0)),
                "ties": int(np.sum(differences == 0)),
                "losses": int(np.sum(differences < 0)),
                "wilcoxon_p": _wilcoxon_p(differences),
                "worst": (worst["dataset"], worst["difference"]),
                "within_single_runs": (sum(within), len(within)),
                "faster_than_paper": (sum(row["time_ratio"] < 1 for row in timed),
                                      len(timed)),
                # the goal: the paper's result, in less time than its training
                "as_good_and_faster": (sum(row["time_ratio"] < 1 and row["difference"] >= 0
                                           for row in timed), len(timed)),
            }
            compute = [row["compute_ratio"] for row in compared
                       if row.get("compute_ratio") is not None]
            entry["mean_compute_ratio"] = float(np.mean(compute)) if compute else None
            if metric == "accuracy":
                entry["clear_losses"] = [(row["dataset"], row["difference"])
                                         for row in compared if _clearly_lost(row)]
            else:
                entry["mean_ratio"] = float(np.mean([row["ratio"] for row in compared]))
            summary[metric] = entry
        return summary

    def summary_lines(self):
        """The summary in words, one line per metric (what the command prints last).

        Returns
        -------
        lines : list of str
        """
        summary = self.summary()
        lines = []
        for metric, what in (("accuracy", "ours - published"),
                             ("rmse", "published - ours, positive is better")):
            if metric not in summary:
                continue
            entry = summary[metric]
            line = (f"{metric}: {entry['n']} dataset(s) compared; mean difference "
                    f"({what}) {entry['mean_difference']:+.4f}; wins/ties/losses "
                    f"{entry['wins']}/{entry['ties']}/{entry['losses']}; Wilcoxon "
                    f"signed-rank p = {entry['wilcoxon_p']:.3g}")
            if metric == "rmse":
                line += f"; mean RMSE ratio (ours / published) {entry['mean_ratio']:.3f}"
            within, known = entry["within_single_runs"]
            if known:
                line += f"; within the paper's single runs on {within} of {known}"
            faster, known = entry["faster_than_paper"]
            if known:
                line += (f"; faster than the paper's GPU training on {faster} of {known}, "
                         f"as good and faster on {entry['as_good_and_faster'][0]}")
            if metric == "accuracy":
                losses = ", ".join(f"{name} {difference:+.4f}"
                                   for name, difference in entry["clear_losses"])
                line += (f"; more than {LOSS_MARGIN} (or one test case) below on "
                         f"{len(entry['clear_losses'])}" + (f" ({losses})" if losses else ""))
            if entry["mean_compute_ratio"] is not None:
                line += f"; mean compute ratio {entry['mean_compute_ratio']:.3g}"
            line += f"; worst {entry['worst'][0]} ({entry['worst'][1]:+.4g})"
            lines.append(line + ".")
        lines.append(f"{summary['datasets']} dataset(s), {summary['errors']} with an error.")
        return lines

    def to_markdown(self):
        """The rows as a markdown table, then the configuration and the summary.

        Returns
        -------
        markdown : str
        """
        def show(value, spec=""):
            if value is None:
                return ""
            return format(value, spec) if spec else str(value)

        lines = [
            "| dataset | archive | metric | ours | published | difference | single runs "
            "| networks x epochs | compute ratio | seconds | time ratio | scale | error |",
            "| --- | --- | --- | ---: | ---: | ---: | --- | --- | ---: | ---: | ---: | --- "
            "| --- |",
        ]
        for row in self.rows:
            runs = ""
            if row.get("single_min") is not None:
                runs = (f"{row['single_min']:.4f}-{row['single_max']:.4f} "
                        f"({'within' if row.get('within_single_runs') else 'below'})")
            budget = ""
            if row.get("n_estimators") is not None:
                budget = f"{row['n_estimators']} x {row['max_epochs']}"
            error = (row.get("error") or "").replace("|", "/").replace("\n", " ")
            # accuracy as the paper gives it (4 decimals); an RMSE in its own scale
            number = ".4f" if row.get("metric") == "accuracy" else ".4g"
            lines.append(
                f"| {row['dataset']} | {show(row.get('archive'))} | {show(row.get('metric'))} "
                f"| {show(row.get('score'), number)} | {show(row.get('published'), number)} "
                f"| {show(row.get('difference'), '+' + number)} | {runs} | {budget} "
                f"| {show(row.get('compute_ratio'), '.3g')} | {show(row.get('seconds'), '.0f')} "
                f"| {show(row.get('time_ratio'), '.3g')} | {show(row.get('scale'))} "
                f"| {error} |"
            )
        settings = sorted({
            ", ".join(f"{column} {row.get(column)}" for column in
                      ("model", "recipe", "precision", "threads", "torch", "cpu"))
            for row in self.rows if row.get("model")
        })
        if settings:
            lines += ["", *(f"Run with: {text}." for text in settings)]
        lines += ["", *self.summary_lines()]
        return "\n".join(lines) + "\n"


def benchmark_report(results_csv):
    """A results CSV of :func:`run_benchmark` as a markdown table with its summary.

    What the benchmark writes beside its results file; for a docs page, or for a file
    that several runs have appended to.

    Parameters
    ----------
    results_csv : str or path-like

    Returns
    -------
    markdown : str
        The table (one line per dataset), the configuration and the summary lines of
        :meth:`BenchmarkResult.summary_lines`.

    Examples
    --------
    >>> import csv, tempfile
    >>> from pathlib import Path
    >>> from inceptionsk.benchmark import COLUMNS, benchmark_report
    >>> path = Path(tempfile.mkdtemp()) / "results.csv"
    >>> with open(path, "w", newline="") as file:
    ...     writer = csv.DictWriter(file, fieldnames=COLUMNS)
    ...     _ = writer.writeheader()
    ...     _ = writer.writerow({"dataset": "GunPoint", "metric": "accuracy", "score": 0.99,
    ...                          "published": 1.0, "difference": -0.01})
    >>> print(benchmark_report(path).splitlines()[-2])
    accuracy: 1 dataset(s) compared; mean difference (ours - published) -0.0100; \
wins/ties/losses 0/0/1; Wilcoxon signed-rank p = 1; more than 0.03 (or one test case) \
below on 0; worst GunPoint (-0.01).
    """
    return BenchmarkResult.from_csv(results_csv).to_markdown()


def run_benchmark(archive_dir, *, datasets=None, model="inceptiontime", recipe="paper",
                  precision="float32", n_estimators=None, max_epochs=None, scale="auto",
                  random_state=0, out=None, plot=None, progress=True, verbose=False,
                  params=None, on_result=None):
    """Train and score a model of the family on every dataset of archive folders.

    Each dataset folder is loaded with :func:`~inceptionsk.datasets.load_dataset`: the
    UCR ``.tsv`` and the UEA/TSER ``.ts`` layouts, univariate or multivariate, equal or
    unequal length (NaN padding at the ends of series is dropped and the estimators mask
    the rest), with class labels (scored by accuracy) or a numeric target (scored by
    RMSE, with the model's regressor). A dataset with missing values inside its series
    gets :class:`~inceptionsk.SeriesImputer` first. The result is put beside the
    published one: the model's ensemble accuracy (UCR 2018 and UEA 2018 tables), for
    InceptionTime on UCR also the paper's five single networks and its GPU training
    time, for a regression the TSER study's RMSE of aeon's 5-network
    InceptionTimeRegressor (InceptionE).

    Parameters
    ----------
    archive_dir : str or path-like
        A dataset folder, an archive folder, or a folder above several archives (see
        :func:`find_datasets`).
    datasets : str or list of str, default=None
        Only these datasets (names, or one comma-separated string); None runs all.
    model : {"inceptiontime", "h-inceptiontime", "litetime", "litemv"}, \
default="inceptiontime"
        The model of the family, as the command line's ``--model``.
    recipe : {"paper", "fast"}, default="paper"
        The training recipe, the estimators' ``recipe`` parameter
        (:mod:`inceptionsk.recipes`): its networks, epochs and schedule for the
        dataset's number of training cases. Each row records what was trained.
    precision : {"float32", "bfloat16"}, default="float32"
        The arithmetic of training.
    n_estimators, max_epochs : int, default=None
        Overrides of the recipe's number of networks and epochs; None keeps the recipe's.
    scale : {"auto", "series", "none"}, default="auto"
        ``"series"`` z-normalises every series (:class:`~inceptionsk.SeriesStandardScaler`
        first); ``"none"`` trains on the series as stored; ``"auto"`` does what the
        paper's code did: ``"series"`` on the UCR archive (the authors' UCR 2018 reader
        z-normalises every series of both splits) and on unknown ``.tsv`` datasets,
        ``"none"`` on the UEA and TSER archives. Each row says which was done.
    random_state : int, default=0
        The estimators' seed.
    out : str or path-like, default=None
        The results CSV. One row is appended and flushed as each dataset finishes; a
        rerun with the same ``out``
        skips the datasets that already have a row without an error, and retries those
        whose row recorded an error (their old rows are removed first). The rows of one
        file must share their model, recipe and precision. The networks save their
        training as they go (:class:`~inceptionsk.TrainingCheckpoint`, every
        minute) under ``<out>.checkpoints/<dataset>/``, so a killed run loses at most
        a minute of training: a rerun continues the dataset in progress, to the result an
        uninterrupted run gives; its row then has no ``seconds`` (nor ``time_ratio``),
        its training having spanned processes. A dataset's checkpoints are deleted once
        its row is written. The markdown table
        (:func:`benchmark_report`) is written beside it, with the suffix ``.md``, and
        rewritten as each dataset finishes. Ctrl-C stops the run (``KeyboardInterrupt``)
        without a row for the dataset in progress.
    plot : str or path-like, default=None
        An image file to draw ours against published into
        (:func:`~inceptionsk.plotting.plot_benchmark`); needs matplotlib.
    progress : bool, default=True
        A progress bar over the datasets on stderr.
    verbose : bool, default=False
        The networks' own progress bars too.
    params : dict, default=None
        Further parameters of the estimators (``{"n_filters": 16}``, ``{"device":
        "cuda"}``). Those of one task's estimators alone apply to that task's datasets:
        the regressors' ``loss``, ``epsilon`` and ``quantile`` to regressions, the
        classifiers' ``class_weight`` to classifications. They are not recorded in the rows: give
        such a run its own ``out``.
    on_result : callable, default=None
        Called with each row as its dataset finishes (the command line prints it).

    Returns
    -------
    result : BenchmarkResult
        The rows of ``out`` (those of earlier runs included) or, without ``out``, of this
        run; ``summary()`` and ``to_markdown()`` compare them with the published results.

    Raises
    ------
    FileNotFoundError, ValueError
        For an archive folder without datasets, an unknown dataset name or option, or an
        ``out`` file of another configuration. A dataset that fails to load or to train
        does not raise: its row holds the error and the run goes on.

    See Also
    --------
    benchmark_report : The markdown table of a results CSV.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> from inceptionsk.benchmark import run_benchmark
    >>> from inceptionsk.datasets import load_gunpoint
    >>> folder = Path(tempfile.mkdtemp()) / "GunPoint"
    >>> folder.mkdir()
    >>> for split in ("train", "test"):
    ...     X, y = load_gunpoint(split=split, return_X_y=True)
    ...     np.savetxt(folder / f"GunPoint_{split.upper()}.tsv",
    ...                np.column_stack([y.astype(float), X[:, 0]]), delimiter="\\t")
    >>> result = run_benchmark(folder, n_estimators=1, max_epochs=2, progress=False,
    ...                        params={"n_filters": 4, "depth": 1})
    >>> row = result.rows[0]
    >>> row["dataset"], row["metric"], row["published"], row["scale"], row["compute_ratio"]
    ('GunPoint', 'accuracy', 1.0, 'series', 0.0002667)
    """
    from tqdm.auto import tqdm

    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}; got {model!r}.")
    if scale not in ("auto", "series", "none"):
        raise ValueError(f"scale must be 'auto', 'series' or 'none'; got {scale!r}.")
    if recipe not in RECIPES:
        raise ValueError(f"recipe must be one of {', '.join(RECIPES)}; got {recipe!r}.")
    settings = dict(model=model, recipe=recipe, precision=precision,
                    n_estimators=n_estimators, max_epochs=max_epochs, scale=scale,
                    random_state=random_state, verbose=verbose, params=params)
    for is_regression in (False, True):
        # bad settings fail now, as sklearn's checks of fit would on every dataset
        _make_estimator(MODELS[model], is_regression,
                        **{key: value for key, value in settings.items()
                           if key not in ("model", "scale")})._validate_params()
    if plot is not None:
        from .plotting import _pyplot

        _pyplot()  # a missing matplotlib fails now, not after hours of training
    folders = find_datasets(archive_dir, datasets)
    done, rows = set(), []
    if out is not None:
        out = Path(out)
        if out.exists():
            rows = _read_rows(out)
            current = {"model": model, "recipe": recipe, "precision": precision}
            for row in rows:
                other = {column: row[column] for column in _CONFIGURATION
                         if row[column] is not None and row[column] != current[column]}
                if other:
                    raise ValueError(
                        f"{out} holds results of another configuration ("
                        f"{', '.join(f'{key}={value}' for key, value in other.items())}): "
                        "write to another file."
                    )
            failed = [row for row in rows if row.get("error")]
            if failed:
                # retried below: their old rows go, so each dataset keeps one row
                rows = [row for row in rows if not row.get("error")]
                temporary = out.with_name(out.name + ".tmp")
                BenchmarkResult(rows).to_csv(temporary)
                os.replace(temporary, out)
            done = {row["dataset"].lower() for row in rows}
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
    to_run = [folder for folder in folders if folder.name.lower() not in done]
    bar = tqdm(to_run, desc="benchmark", unit="dataset", file=sys.stderr,
               disable=not progress)
    checkpoints = None if out is None else out.with_name(out.name + ".checkpoints")
    for folder in bar:
        dataset_checkpoints = None if checkpoints is None else checkpoints / folder.name
        bar.set_postfix_str(folder.name + " (continued from its checkpoints)"
                            * _has_checkpoints(dataset_checkpoints))
        try:
            row = _run_one(folder, **settings, checkpoints=dataset_checkpoints)
        except Exception as exc:  # reported in the row; the other datasets still run
            row = {"dataset": folder.name, "error": f"{type(exc).__name__}: {exc}"}
            row.update(_configuration(model, recipe, precision))
        row = {column: row.get(column) for column in COLUMNS}
        rows.append(row)
        if out is not None:
            _write_rows(out, [row], mode="a")
            # the row holds the result now: its trainings' checkpoints are spent
            shutil.rmtree(dataset_checkpoints, ignore_errors=True)
            with contextlib.suppress(OSError):
                checkpoints.rmdir()  # when no other dataset's are left
            # the table too is current while a long run goes on
            out.with_suffix(".md").write_text(BenchmarkResult(rows).to_markdown(),
                                              encoding="utf-8")
        if on_result is not None:
            on_result(row)
    result = BenchmarkResult(rows)
    if out is not None and not to_run:
        out.with_suffix(".md").write_text(result.to_markdown(), encoding="utf-8")
    if plot is not None:
        from .plotting import plot_benchmark

        figure = plot_benchmark(result)
        figure.savefig(plot, dpi=100, bbox_inches="tight")
    return result
