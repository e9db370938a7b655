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
