"""Runs benchmarks/time_to_accuracy.py with a tiny budget, so that the benchmark script never
rots; aeon's side runs only where aeon and TensorFlow are installed (the benchmark extra)."""

import csv
import sys
from pathlib import Path

import pytest
from conftest import TINY, load_benchmark

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "time_to_accuracy.py"
#: conftest's TINY network as options: one network, budgets of 2 and 1 epochs.
TINY_OPTIONS = [
    "--n-estimators", "1", "--budgets", "2", "1", "--n-filters", str(TINY["n_filters"]),
    "--depth", str(TINY["depth"]), "--kernel-size", str(TINY["kernel_size"]),
    "--threads", "1", "--epoch-timing", "2", "--quiet",
]


@pytest.fixture(scope="module")
def script():
    return load_benchmark("time_to_accuracy")


def read_rows(out):
    with open(f"{out}.csv", newline="") as file:
        return list(csv.DictReader(file))


def test_the_benchmark_writes_its_rows_and_table(script, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(script.os, "getloadavg", lambda: (0.12, 0.3, 0.4))
    out = tmp_path / "results" / "tiny"
    script.main(["GunPoint", "ItalyPowerDemand", *TINY_OPTIONS, "--out", str(out)])
    rows = read_rows(out)
    assert list(rows[0]) == script.COLUMNS
    assert [(row["dataset"], row["run"], row["epochs"]) for row in rows] == [
        ("GunPoint", "epoch timing", "2"), ("GunPoint", "budget", "1"),
        ("GunPoint", "budget", "2"), ("ItalyPowerDemand", "epoch timing", "2"),
        ("ItalyPowerDemand", "budget", "1"), ("ItalyPowerDemand", "budget", "2"),
    ]
    assert {row["implementation"] for row in rows} == {"inceptionsk"}
    assert {row["schedule"] for row in rows} == {"one_cycle"}
    budgets = [row for row in rows if row["run"] == "budget"]
    for row in budgets:
        accuracy, paper = float(row["accuracy"]), float(row["paper_accuracy"])
        assert 0 <= accuracy <= 1
        assert float(row["difference"]) == pytest.approx(accuracy - paper, abs=1e-4)
        assert row["reached"] == str(accuracy >= paper)
        assert float(row["train_time_s"]) > 0 and row["n_networks"] == "1"
        assert float(row["s_per_epoch"]) == pytest.approx(
            float(row["train_time_s"]) / int(row["epochs"]), abs=1e-3)
    assert [row["paper_accuracy"] for row in budgets] == ["1.0", "1.0", "0.965", "0.965"]
    assert (budgets[2]["n_train"], budgets[2]["n_test"], budgets[2]["n_timepoints"]) == (
        "67", "1029", "24")
    assert all(row["accuracy"] == "" and float(row["median_epoch_s"]) > 0
               for row in rows if row["run"] == "epoch timing")

    table = Path(f"{out}.md").read_text()
    assert "Time to accuracy: short budgets (one-cycle schedule), 1 network(s) x 1, 2" in table
    assert "Command: `python benchmarks/time_to_accuracy.py GunPoint ItalyPowerDemand " in table
    assert "torch 2." in table and "with 1 thread(s)" in table
    assert "load average 0.12, 0.30, 0.40 (1, 5, 15 min), fp32 matmul peak" in table
    assert "- End " in table and "WARNING" not in table
    assert "| inceptionsk | one_cycle | ItalyPowerDemand | 1 x 2 |" in table
    assert "- GunPoint, inceptionsk: " in table and "- ItalyPowerDemand, inceptionsk: " in table
    assert "| GunPoint | inceptionsk |" in table  # the per-epoch timing
    printed = capsys.readouterr()
    assert "inceptionsk, GunPoint, budget 1 x 2 epochs:" in printed.out
    assert "WARNING" not in printed.err


def test_a_loaded_machine_is_warned_about(script, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(script.os, "getloadavg", lambda: (1.7, 1.0, 0.5))
    out = tmp_path / "loaded"
    script.main(["ItalyPowerDemand", *TINY_OPTIONS, "--budgets", "1", "--epoch-timing", "0",
                 "--out", str(out)])
    assert "WARNING: the 1-minute load average was 1.70" in capsys.readouterr().err
    assert "**WARNING: the 1-minute load average was 1.70" in Path(f"{out}.md").read_text()
    assert [row["run"] for row in read_rows(out)] == ["budget"]


def test_a_stopped_run_keeps_the_fits_it_completed(script, tmp_path, monkeypatch, capsys):
    class StoppedAtTwoEpochs(script.InceptionTimeClassifier):
        """Ctrl-C during the second budget: fit keeps a part of it and returns."""

        def fit(self, X, y):
            super().fit(X, y)
            self.interrupted_ = self.max_epochs == 2
            return self

    monkeypatch.setattr(script, "InceptionTimeClassifier", StoppedAtTwoEpochs)
    out = tmp_path / "stopped"
    with pytest.raises(SystemExit) as stop:
        script.main(["ItalyPowerDemand", *TINY_OPTIONS, "--epoch-timing", "0", "--out", str(out)])
    assert stop.value.code == 130
    assert [row["epochs"] for row in read_rows(out)] == ["1"]
    assert "End: not reached" in Path(f"{out}.md").read_text()
    assert "Stopped: the 1 fit(s) completed are in" in capsys.readouterr().err


def test_without_aeon_the_run_says_so(script, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow", None)  # makes the import fail
    out = tmp_path / "no_aeon"
    script.main(["ItalyPowerDemand", *TINY_OPTIONS, "--budgets", "1", "--epoch-timing", "0",
                 "--aeon", "--out", str(out)])
    assert {row["implementation"] for row in read_rows(out)} == {"inceptionsk"}
    assert "aeon was not timed: it is not importable" in Path(f"{out}.md").read_text()


def test_recipes_and_their_defaults(script):
    fast = script.parse_args([])
    assert fast.datasets == ["GunPoint", "ItalyPowerDemand", "BasicMotions"]
    assert (fast.schedule, fast.n_estimators, fast.budgets) == (
        "one_cycle", 2, [25, 50, 100, 200, 300])
    assert fast.aeon_budgets == fast.budgets
    paper = script.parse_args(["--recipe", "paper"])
    assert (paper.schedule, paper.n_estimators, paper.budgets) == ("plateau", 5, [1500])
    chosen = script.parse_args(["--budgets", "50", "10", "--aeon-budgets", "5", "--n-estimators",
                                "3"])
    assert (chosen.budgets, chosen.aeon_budgets, chosen.n_estimators) == ([10, 50], [5], 3)


def test_italy_power_demand_ships_with_the_benchmarks(script):
    path = Path(script.resolve("italypowerdemand"))
    assert path == SCRIPT.parent / "data" / "ItalyPowerDemand.npz" and path.is_file()
    assert script.resolve("GunPoint") == "GunPoint"  # bundled with the package


def budget_row(epochs, reached, accuracy=0.9):
    return {"implementation": "inceptionsk", "run": "budget", "dataset": "Toy",
            "n_networks": 2, "epochs": epochs, "train_time_s": float(epochs),
            "accuracy": accuracy, "paper_accuracy": 0.95, "reached": reached}


@pytest.mark.parametrize("reached, expected", [
    ([False, True, True], "Toy, inceptionsk: 2 x 50 epochs, 50 s, accuracy 0.9000 against "
                          "0.9500, and every larger budget too"),
    ([False, True, False], "Toy, inceptionsk: 2 x 50 epochs, 50 s, accuracy 0.9000 against "
                           "0.9500, but not every larger budget"),
    ([False, False, True], "Toy, inceptionsk: 2 x 100 epochs, 100 s, accuracy 0.9000 against "
                           "0.9500"),
])
def test_the_smallest_budget_that_reaches_the_paper(script, reached, expected):
    rows = [budget_row(epochs, hit) for epochs, hit in zip([25, 50, 100], reached, strict=True)]
    (result,) = script.time_to_accuracy(rows[::-1])  # in any order: the budgets are sorted
    assert script.summary_line(result) == expected


def test_a_dataset_without_published_accuracy(script):
    rows = [{**budget_row(25, ""), "paper_accuracy": ""}]
    (result,) = script.time_to_accuracy(rows)
    assert script.summary_line(result) == (
        "Toy, inceptionsk: no published accuracy; best 0.9000 at 2 x 25 epochs")


def test_not_reached_names_the_best_budget(script):
    rows = [budget_row(25, False, 0.8), budget_row(50, False, 0.9), budget_row(100, False, 0.85)]
    (result,) = script.time_to_accuracy(rows)
    assert script.summary_line(result) == (
        "Toy, inceptionsk: not reached (paper 0.9500; best 0.9000 at 2 x 50 epochs, 50 s)")


def test_the_matmul_peak_is_measured(script):
    assert script.matmul_peak_gflops(size=128, repeats=2) > 0


@pytest.mark.filterwarnings("ignore::DeprecationWarning:keras.*")
def test_aeon_on_the_same_data(script, tmp_path):
    pytest.importorskip("tensorflow")
    pytest.importorskip("aeon.classification.deep_learning")
    out = tmp_path / "aeon"
    script.main(["ItalyPowerDemand", *TINY_OPTIONS, "--aeon", "--aeon-budgets", "1", "2",
                 "--out", str(out)])
    aeon_rows = [row for row in read_rows(out) if row["implementation"] == "aeon"]
    assert [(row["run"], row["schedule"]) for row in aeon_rows][0] == ("epoch timing", "plateau")
    assert 0 <= float(aeon_rows[1]["accuracy"]) <= 1
    table = Path(f"{out}.md").read_text()
    assert "aeon: aeon " in table and "TensorFlow intra-op 1" in table
    assert "| ItalyPowerDemand | aeon |" in table
