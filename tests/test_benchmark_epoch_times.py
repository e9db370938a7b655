"""Runs benchmarks/epoch_times.py for one epoch, so that the script never rots: the
projection is the measured epoch times the fast recipe's budget, beside the paper's time."""

import csv
from pathlib import Path

import pytest
from conftest import load_benchmark

from inceptionsk.datasets import published_result
from inceptionsk.recipes import fast_budget

DATA = Path(__file__).resolve().parents[1] / "benchmarks" / "data"


@pytest.fixture(scope="module")
def script():
    return load_benchmark("epoch_times")


def test_projects_the_budget_from_one_epoch_and_resumes(script, tmp_path, capsys):
    out = tmp_path / "epochs.csv"
    options = [str(DATA), "--datasets", "ItalyPowerDemand", "--epochs", "1", "--out", str(out)]
    script.main(options)
    with open(out, newline="") as file:
        (row,) = list(csv.DictReader(file))
    budget = fast_budget(int(row["n_train"]))
    assert (int(row["n_estimators"]), int(row["max_epochs"])) == budget[:2]
    epoch = float(row["epoch_s"])
    assert epoch > 0
    projected = float(row["projected_s"])
    # the file rounds the epoch to 1e-4 s and the projection to 0.1 s
    network_epochs = budget.n_estimators * budget.max_epochs
    assert projected == pytest.approx(epoch * network_epochs, abs=0.05 + network_epochs * 5e-5)
    paper = published_result("ItalyPowerDemand").train_time_s
    assert float(row["projected_ratio"]) == pytest.approx(projected / paper, abs=1e-3)
    capsys.readouterr()
    script.main(options)  # done already: no second row
    with open(out, newline="") as file:
        assert len(list(csv.DictReader(file))) == 1
    assert "of 1 datasets projected within the paper's GPU time" in capsys.readouterr().out


def _epoch_rows(epochs, precision):
    rows = []
    for name, epoch in epochs.items():
        paper = published_result(name).train_time_s
        rows.append({"dataset": name, "n_train": "50", "n_timepoints": "150",
                     "precision": precision, "threads": "2", "epoch_s": str(epoch),
                     "n_estimators": "1", "max_epochs": "1500",
                     "projected_s": str(epoch * 1500), "paper_gpu_s": str(paper),
                     "projected_ratio": f"{epoch * 1500 / paper:.3f}", "load_at_start": "0.1"})
    return rows


def test_the_table_joins_the_two_precisions_and_counts_the_sets_within_the_paper():
    table = load_benchmark("epoch_table")
    paper = published_result("GunPoint").train_time_s
    slow = paper / 1500 * 1.2  # 1 x 1500 epochs of this take 1.2x the paper's GPU time
    bfloat16 = _epoch_rows({"GunPoint": 0.5, "ItalyPowerDemand": 0.04}, "bfloat16")
    float32 = _epoch_rows({"GunPoint": slow, "ItalyPowerDemand": 0.08, "Beef": 0.2},
                          "float32")
    lines = table.epoch_table(bfloat16, float32).splitlines()
    rows = [line for line in lines if line.startswith("| GunPoint")
            or line.startswith("| ItalyPowerDemand") or line.startswith("| Beef")]
    assert len(rows) == 2  # Beef has no bfloat16 row
    gunpoint = rows[0].split(" | ")
    assert float(gunpoint[5]) == pytest.approx(slow / 0.5, abs=0.01)  # float32 / bfloat16
    assert "bfloat16: within the paper's GPU time on 2 of 2 sets" in lines[-2]
    assert "float32: within the paper's GPU time on 1 of 2 sets" in lines[-1]
    assert "highest GunPoint 1.200" in lines[-1]
    with pytest.raises(ValueError, match="share no dataset"):
        table.epoch_table(bfloat16, _epoch_rows({"Beef": 0.2}, "float32"))
