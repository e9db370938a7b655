"""The benchmark over archive folders (inceptionsk.benchmark and ``inceptionsk benchmark``):
tiny archives of the bundled data in every layout, tiny networks of 1 member x 1 epoch."""

import csv

import numpy as np
import pytest
import scipy.stats
from conftest import TINY
from skorch.callbacks import Callback
from toy_data import toy_series, write_regression_ts, write_ts, write_tsv

from inceptionsk.benchmark import (
    COLUMNS,
    BenchmarkResult,
    benchmark_report,
    find_datasets,
    run_benchmark,
)
from inceptionsk.cli import main
from inceptionsk.datasets import (
    load_basic_motions,
    load_gunpoint,
    published_rmse,
    published_single_runs,
)
from inceptionsk.recipes import resolve_budget

#: 1 tiny network x 1 epoch: the tests check the bookkeeping, not the accuracy.
FAST = dict(n_estimators=1, max_epochs=1, progress=False, params=TINY)


def write_pair(folder, name, writer, splits):
    """``folder/name/name_TRAIN`` and ``_TEST`` written by ``writer(path, X, y)``."""
    dataset = folder / name
    dataset.mkdir(parents=True)
    suffix = "tsv" if writer is write_tsv else "ts"
    for split, (X, y) in zip(("TRAIN", "TEST"), splits, strict=True):
        writer(dataset / f"{name}_{split}.{suffix}", X, y)
    return dataset


@pytest.fixture(scope="module")
def archives(tmp_path_factory, japanese_vowels):
    """A folder of three archives in their layouts: UCR (.tsv: GunPoint, a set with
    missing values, a NaN-padded set of unequal lengths), UEA (.ts: BasicMotions,
    JapaneseVowels of unequal lengths with a missing value) and TSER (.ts regression,
    named after Covid3Month so that its published RMSE is looked up; the data are a
    toy's)."""
    root = tmp_path_factory.mktemp("archives")
    ucr, uea, tser = root / "UCR", root / "UEA", root / "TSER"
    write_pair(ucr, "GunPoint", write_tsv,
               [load_gunpoint(split=split, return_X_y=True) for split in ("train", "test")])
    holes = []
    for seed in (0, 1):
        X, y = toy_series(12, seed=seed)
        X[::3, 0, 5:8] = np.nan  # missing values inside the series
        holes.append((X, y))
    write_pair(ucr, "Holes", write_tsv, holes)
    padded = []
    for seed in (0, 1):
        X, y = toy_series(12, seed=seed)
        X[1::2, 0, 18:] = np.nan  # the UCR layout of unequal lengths: NaN at the ends
        padded.append((X, y))
    write_pair(ucr, "Padded", write_tsv, padded)
    write_pair(uea, "BasicMotions", write_ts,
               [load_basic_motions(split=split, return_X_y=True)
                for split in ("train", "test")])
    X_train, y_train, X_test, y_test = japanese_vowels
    X_train = [case.copy() for case in X_train[::10]]
    X_train[0][3, 2] = np.nan  # a missing value in a series of unequal length
    write_pair(uea, "JapaneseVowels", write_ts,
               [(X_train, y_train[::10]), (X_test[::18], y_test[::18])])
    rng = np.random.RandomState(0)
    regression = []
    for n_cases in (20, 10):
        X = rng.normal(size=(n_cases, 1, 16)).astype(np.float32)
        regression.append((X, X[:, 0, :4].sum(axis=1)))
    write_pair(tser, "Covid3Month", write_regression_ts, regression)
    return root


@pytest.fixture(scope="module")
def run(archives, tmp_path_factory):
    """One run over every dataset, its results file and plot."""
    out = tmp_path_factory.mktemp("results") / "RESULTS.csv"
    plot = out.with_name("RESULTS.png")
    result = run_benchmark(archives, out=out, plot=plot, **FAST)
    return result, out, plot


def test_every_layout_and_kind_is_found_and_run(run):
    result, _, _ = run
    rows = {row["dataset"]: row for row in result.rows}
    assert sorted(rows) == ["BasicMotions", "Covid3Month", "GunPoint", "Holes",
                            "JapaneseVowels", "Padded"]
    assert all(row["error"] is None for row in rows.values()), rows
    assert rows["Covid3Month"]["metric"] == "rmse"
    assert {row["metric"] for name, row in rows.items() if name != "Covid3Month"} == {
        "accuracy"}
    assert rows["JapaneseVowels"]["n_channels"] == 12
    assert rows["JapaneseVowels"]["n_timepoints"] == "10-24"  # of the cases taken
    assert rows["Padded"]["n_timepoints"] == "18-24"  # the NaN padding was trimmed
    assert rows["Holes"]["imputed"] and not rows["GunPoint"]["imputed"]
    assert rows["JapaneseVowels"]["imputed"]  # each ragged series imputed on its own
    assert (rows["GunPoint"]["n_train"], rows["GunPoint"]["n_test"]) == (50, 150)
    assert all(row["n_estimators"] == 1 and row["max_epochs"] == 1
               for row in rows.values())
    assert rows["GunPoint"]["compute_ratio"] == pytest.approx(1 / 7500, rel=1e-3)
    assert {row["lr_schedule"] for row in rows.values()} == {"plateau"}  # the paper's


def test_each_row_is_put_beside_the_published_result(run):
    rows = {row["dataset"]: row for row in run[0].rows}
    gunpoint = rows["GunPoint"]
    assert gunpoint["archive"] == "UCR2018" and gunpoint["published"] == 1.0
    assert gunpoint["difference"] == pytest.approx(gunpoint["score"] - 1.0)
    assert gunpoint["paper_seconds"] == 1980.9
    assert gunpoint["time_ratio"] == pytest.approx(gunpoint["seconds"] / 1980.9, rel=0.01,
                                                   abs=1e-5)
    runs = published_single_runs("GunPoint")
    assert (gunpoint["single_min"], gunpoint["single_max"]) == (min(runs), max(runs))
    assert gunpoint["within_single_runs"] == (gunpoint["score"] >= min(runs))
    assert rows["BasicMotions"]["archive"] == "UEA2018"
    assert rows["BasicMotions"]["single_min"] is None  # the single runs are UCR's only
    assert rows["Holes"]["archive"] is None and rows["Holes"]["published"] is None
    covid = rows["Covid3Month"]
    assert covid["archive"] == "TSER" and covid["published"] == pytest.approx(
        published_rmse("Covid3Month"), rel=1e-5)
    assert covid["difference"] == pytest.approx(covid["published"] - covid["score"],
                                                rel=1e-4)
    assert covid["ratio"] == pytest.approx(covid["score"] / covid["published"], rel=1e-4)


def test_auto_scale_does_what_the_papers_code_did(run):
    """z-normalised series on UCR (and the unknown .tsv sets), none on UEA and TSER."""
    scales = {row["dataset"]: row["scale"] for row in run[0].rows}
    assert scales == {"GunPoint": "series", "Holes": "series", "Padded": "series",
                      "BasicMotions": "none", "JapaneseVowels": "none",
                      "Covid3Month": "none"}


def test_the_results_file_its_table_and_plot(run):
    result, out, plot = run
    with open(out, newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        assert tuple(reader.fieldnames) == COLUMNS
        assert [row["dataset"] for row in reader] == [row["dataset"] for row in result.rows]
    assert BenchmarkResult.from_csv(out).rows == result.rows
    table = out.with_suffix(".md").read_text(encoding="utf-8")
    assert table == benchmark_report(out)
    assert "| GunPoint | UCR2018 | accuracy |" in table
    assert "Run with: model inceptiontime, recipe paper, precision float32" in table
    assert "accuracy: 3 dataset(s) compared" in table  # GunPoint, BasicMotions, JV
    assert "6 dataset(s), 0 with an error." in table
    assert plot.read_bytes().startswith(b"\x89PNG")


def test_a_rerun_trains_only_the_datasets_not_yet_in_the_file(archives, tmp_path):
    out = tmp_path / "results.csv"
    trained = []

    def stop_after_the_first(row):
        trained.append(row["dataset"])
        raise KeyboardInterrupt  # as if killed while the second dataset trained

    with pytest.raises(KeyboardInterrupt):
        run_benchmark(archives, datasets="GunPoint,Padded,Holes", out=out,
                      on_result=stop_after_the_first, **FAST)
    assert trained == ["GunPoint"]
    assert [row["dataset"] for row in BenchmarkResult.from_csv(out).rows] == ["GunPoint"]
    trained.clear()
    result = run_benchmark(archives, datasets="GunPoint,Padded,Holes", out=out,
                           on_result=lambda row: trained.append(row["dataset"]), **FAST)
    assert trained == ["Padded", "Holes"]
    assert [row["dataset"] for row in result.rows] == ["GunPoint", "Padded", "Holes"]


class CtrlC(Callback):
    """Ctrl-C at the end of the first epoch, which skorch catches and the estimators
    report in ``interrupted_``."""

    def on_epoch_end(self, net, **kwargs):
        raise KeyboardInterrupt


def test_ctrl_c_stops_the_run_without_a_row_of_a_partial_training(archives, tmp_path):
    out = tmp_path / "results.csv"
    run_benchmark(archives, datasets="Padded", out=out, **FAST)
    with pytest.raises(KeyboardInterrupt):
        run_benchmark(archives, datasets="Padded,Holes,GunPoint", out=out,
                      **{**FAST, "max_epochs": 2, "params": dict(TINY, callbacks=[CtrlC()])})
    assert [row["dataset"] for row in BenchmarkResult.from_csv(out).rows] == ["Padded"]


def test_a_broken_dataset_gets_an_error_row_and_is_retried(archives, tmp_path):
    root = tmp_path / "archive"
    broken = write_pair(root, "Broken", write_tsv, [toy_series(8, seed=0)] * 2)
    (broken / "Broken_TRAIN.tsv").write_text("sine\t1.0\t2.0\nflat\t1.0\tx\n",
                                            encoding="utf-8")
    write_pair(root, "Fine", write_tsv, [toy_series(8, seed=0), toy_series(8, seed=1)])
    out = tmp_path / "results.csv"
    first = run_benchmark(root, out=out, **FAST)
    broken_row, fine_row = first.rows
    assert broken_row["dataset"] == "Broken" and broken_row["error"].startswith(
        "DataFileError")
    assert "Broken_TRAIN.tsv" in broken_row["error"]
    assert fine_row["error"] is None and fine_row["score"] is not None
    assert first.summary()["errors"] == 1
    write_tsv(broken / "Broken_TRAIN.tsv", *toy_series(8, seed=0))  # repaired
    trained = []
    second = run_benchmark(root, out=out, on_result=lambda row: trained.append(
        row["dataset"]), **FAST)
    assert trained == ["Broken"]
    assert [(row["dataset"], row["error"]) for row in second.rows] == [
        ("Fine", None), ("Broken", None)]


def test_a_results_file_of_another_configuration_is_refused(run, archives):
    _, out, _ = run
    with pytest.raises(ValueError, match="model=inceptiontime"):
        run_benchmark(archives, model="litetime", out=out,
                      **{**FAST, "params": {key: value for key, value in TINY.items()
                                               if key != "depth"}})  # LITE has none


@pytest.mark.parametrize("kwargs, message", [
    ({"model": "resnet"}, "model must be one of"),
    ({"scale": "minmax"}, "scale must be"),
    ({"recipe": "slow"}, "recipe must be"),
    ({"precision": "float16"}, "precision"),
    ({"datasets": "GunPoint,Nowhere"}, "No dataset folder named Nowhere"),
])
def test_bad_settings_fail_before_any_training(archives, kwargs, message):
    with pytest.raises(ValueError, match=message):
        run_benchmark(archives, **{**FAST, **kwargs})


def test_finding_dataset_folders(archives, tmp_path):
    assert [folder.name for folder in find_datasets(archives / "UEA")] == [
        "BasicMotions", "JapaneseVowels"]
    # one dataset folder is a dataset, not an archive
    assert find_datasets(archives / "UCR" / "GunPoint") == [archives / "UCR" / "GunPoint"]
    assert [folder.name for folder in find_datasets(archives, ["japanesevowels", "Holes"])] \
        == ["JapaneseVowels", "Holes"]
    with pytest.raises(FileNotFoundError, match="No dataset folder under"):
        find_datasets(tmp_path)
    write_pair(tmp_path / "A", "Same", write_tsv, [toy_series(4)] * 2)
    write_pair(tmp_path / "B", "Same", write_tsv, [toy_series(4)] * 2)
    with pytest.raises(ValueError, match="Two dataset folders are named Same"):
        find_datasets(tmp_path)


def hand_made_rows():
    differences = [0.02, -0.01, 0.0, 0.03, -0.005, 0.01, 0.0, 0.04]
    rows = [{"dataset": f"D{index}", "metric": "accuracy", "score": 0.8 + difference,
             "published": 0.8, "difference": difference, "time_ratio": 0.5 + index / 10,
             "within_single_runs": difference >= -0.005, "single_min": 0.795,
             "single_max": 0.85}
            for index, difference in enumerate(differences)]
    rows += [{"dataset": "R1", "metric": "rmse", "score": 2.0, "published": 2.5,
              "difference": 0.5, "ratio": 0.8},
             {"dataset": "R2", "metric": "rmse", "score": 3.0, "published": 2.0,
              "difference": -1.0, "ratio": 1.5},
             {"dataset": "E", "metric": "accuracy", "error": "ValueError: broken"}]
    return differences, rows


def test_the_summary_of_a_hand_made_results_file(tmp_path):
    differences, rows = hand_made_rows()
    path = tmp_path / "hand.csv"
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    summary = BenchmarkResult.from_csv(path).summary()
    accuracy, rmse = summary["accuracy"], summary["rmse"]
    assert (summary["datasets"], summary["errors"]) == (11, 1)
    assert accuracy["n"] == 8
    assert accuracy["mean_difference"] == pytest.approx(np.mean(differences))
    assert (accuracy["wins"], accuracy["ties"], accuracy["losses"]) == (4, 2, 2)
    assert accuracy["wilcoxon_p"] == pytest.approx(scipy.stats.wilcoxon(differences).pvalue)
    assert accuracy["within_single_runs"] == (7, 8)
    assert accuracy["faster_than_paper"] == (5, 8)  # time ratios 0.5 to 0.9
    assert accuracy["as_good_and_faster"] == (3, 8)  # D0, D2, D3
    assert accuracy["worst"] == ("D1", -0.01)
    assert rmse["mean_ratio"] == pytest.approx(1.15)
    assert (rmse["wins"], rmse["losses"]) == (1, 1)
    report = benchmark_report(path)
    assert "| D1 |  | accuracy | 0.7900 | 0.8000 | -0.0100 | 0.7950-0.8500 (below) |" in report
    assert "| R2 |  | rmse | 3 | 2 | -1 |" in report  # an RMSE in its own scale
    assert "11 dataset(s), 1 with an error." in report
    assert "mean RMSE ratio (ours / published) 1.150" in report


def test_all_ties_give_a_p_value_of_one():
    rows = [{"dataset": name, "metric": "accuracy", "score": 1.0, "published": 1.0,
             "difference": 0.0} for name in "ABC"]
    summary = BenchmarkResult(rows).summary()["accuracy"]
    assert (summary["ties"], summary["wilcoxon_p"]) == (3, 1.0)


def test_clear_losses_allow_003_or_one_test_case_and_the_mean_compute_is_given():
    """-0.03 is the margin; below 34 test cases one test case is more, and allowed."""
    rows = [{"dataset": name, "metric": "accuracy", "published": 0.9, "difference": diff,
             "n_test": n_test, "compute_ratio": compute}
            for name, diff, n_test, compute in [
                ("Big-ok", -0.03, 300, 0.2), ("Big-lost", -0.031, 300, 0.08),
                ("Small-one-case", -1 / 30, 30, 0.2), ("Small-two-cases", -2 / 30, 30, 0.2),
                ("Unknown-size", -0.04, None, None)]]
    rows = [{**row, "score": row["published"] + row["difference"]} for row in rows]
    summary = BenchmarkResult(rows).summary()["accuracy"]
    assert [name for name, _ in summary["clear_losses"]] == \
        ["Big-lost", "Small-two-cases", "Unknown-size"]
    assert summary["mean_compute_ratio"] == pytest.approx(0.17)
    line = BenchmarkResult(rows).summary_lines()[0]
    assert "more than 0.03 (or one test case) below on 3 (Big-lost -0.0310" in line
    assert "mean compute ratio 0.17" in line


def test_the_plot_needs_something_to_compare():
    pytest.importorskip("matplotlib")
    from inceptionsk.plotting import plot_benchmark

    with pytest.raises(ValueError, match="No dataset of these results"):
        plot_benchmark([{"dataset": "A", "metric": "accuracy", "score": 0.9}])


def test_the_command_line(archives, tmp_path, capsys):
    out = tmp_path / "cli.csv"
    code = main(["benchmark", str(archives), "--datasets", "GunPoint,Holes",
                 "--n-estimators", "1", "--max-epochs", "1", "--threads", "1",
                 "--quiet", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    lines = captured.out.splitlines()
    assert lines[0].startswith("GunPoint: accuracy ")
    assert "(published 1, difference " in lines[0] and "scale series" in lines[0]
    assert lines[1].startswith("Holes: accuracy ")
    assert lines[2].startswith("accuracy: 1 dataset(s) compared; mean difference")
    assert lines[-1] == "2 dataset(s), 0 with an error."
    assert captured.err == ""  # --quiet: no progress bar
    assert [row["dataset"] for row in BenchmarkResult.from_csv(out).rows] == [
        "GunPoint", "Holes"]
    assert out.with_suffix(".md").exists()


def test_the_command_line_overrides_the_recipes_schedule(archives, tmp_path, capsys):
    """--n-estimators, --max-epochs and --lr-schedule together give any budget of the
    estimators (here the earlier fast rule's shape), and each row records it."""
    out = tmp_path / "one_cycle.csv"
    assert main(["benchmark", str(archives), "--datasets", "GunPoint", "--recipe", "fast",
                 "--n-estimators", "2", "--max-epochs", "2", "--lr-schedule", "one_cycle",
                 "--threads", "1", "--quiet", "--out", str(out)]) == 0, capsys.readouterr().err
    (row,) = BenchmarkResult.from_csv(out).rows
    assert (row["recipe"], row["n_estimators"], row["max_epochs"], row["lr_schedule"]) == (
        "fast", 2, 2, "one_cycle")


def test_the_command_line_reports_failures_in_its_exit_code(tmp_path, capsys):
    broken = write_pair(tmp_path, "Broken", write_tsv, [toy_series(4)] * 2)
    (broken / "Broken_TEST.tsv").write_text("not a number\n", encoding="utf-8")
    assert main(["benchmark", str(tmp_path), "--n-estimators", "1", "--max-epochs", "1",
                 "--quiet"]) == 1
    assert capsys.readouterr().out.startswith("Broken: error: DataFileError")
    assert main(["benchmark", str(tmp_path / "nowhere"), "--quiet"]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_scale_series_on_series_of_unequal_length(archives):
    """The per-series transformers take equal lengths only: each ragged series is imputed
    and z-normalised on its own, and the networks mask the rest."""
    (row,) = run_benchmark(archives, datasets="JapaneseVowels", scale="series", **FAST).rows
    assert (row["scale"], row["imputed"], row["error"]) == ("series", True, None)


def test_the_fast_recipe_is_resolved_per_dataset(archives):
    """The recipe's networks and schedule for each dataset's number of training cases,
    unless overridden (here the epochs), and the compute that they make."""
    rows = run_benchmark(archives, datasets="GunPoint,Holes", recipe="fast",
                         **{**FAST, "n_estimators": None}).rows
    for row in rows:
        budget = resolve_budget("fast", row["n_train"])
        assert (row["recipe"], row["lr_schedule"]) == ("fast", budget.lr_schedule)
        assert (row["n_estimators"], row["max_epochs"]) == (budget.n_estimators, 1)
        assert row["compute_ratio"] == pytest.approx(budget.n_estimators / 7500, rel=1e-3)


def test_a_parameter_of_one_task_applies_to_that_tasks_datasets(archives):
    """A regressor's loss and a classifier's class weights in one run over a mixed
    archive: each reaches its own task's estimators, and no dataset fails."""
    result = run_benchmark(
        archives, datasets="GunPoint,Covid3Month",
        **{**FAST, "params": dict(TINY, loss="huber", epsilon=0.5, class_weight="balanced")})
    assert [row["error"] for row in result.rows] == [None, None]
    with pytest.raises(ValueError, match="The 'loss' parameter of InceptionTimeRegressor"):
        run_benchmark(archives, datasets="GunPoint", **{**FAST, "params": dict(TINY, loss="mse")})
    with pytest.raises(TypeError, match="no_such_parameter"):
        run_benchmark(archives, datasets="GunPoint",
                      **{**FAST, "params": dict(TINY, no_such_parameter=1)})
