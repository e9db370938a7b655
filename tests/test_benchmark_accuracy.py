"""Runs benchmarks/accuracy.py (a wrapper of inceptionsk.benchmark) with a tiny budget, so that
the benchmark script never rots."""

import csv
from pathlib import Path

import numpy as np
import pytest
from conftest import load_benchmark
from toy_data import toy_series, write_ts

from inceptionsk.datasets import published_accuracy

pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def accuracy_script():
    return load_benchmark("accuracy")


def write_unequal_pair(folder):
    """JapaneseVowels-like: 3 channels, lengths 5 to 9."""
    dataset = folder / "Ragged"
    dataset.mkdir()
    for split, seed in (("TRAIN", 0), ("TEST", 1)):
        X, y = toy_series(12, length=9, seed=seed)
        ragged = [np.repeat(case[:, :5 + index % 5], 3, axis=0) for index, case in enumerate(X)]
        write_ts(dataset / f"Ragged_{split}.ts", ragged, y)
    return dataset


def test_the_benchmark_writes_its_table_csv_and_plot(accuracy_script, tmp_path, capsys):
    out = tmp_path / "results" / "tiny"
    accuracy_script.main([
        "GunPoint", str(write_unequal_pair(tmp_path)), "--n-estimators", "1",
        "--max-epochs", "2", "--n-filters", "8", "--depth", "3", "--kernel-size", "10",
        "--threads", "1", "--quiet", "--out", str(out),
    ])
    with open(f"{out}.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [row["dataset"] for row in rows] == ["GunPoint", "Ragged"]
    gunpoint, ragged = rows
    assert gunpoint["archive"] == "UCR2018" and float(gunpoint["published"]) == 1.0
    assert float(gunpoint["difference"]) == pytest.approx(float(gunpoint["score"]) - 1.0)
    assert (gunpoint["n_train"], gunpoint["n_test"]) == ("50", "150")
    assert gunpoint["scale"] == "none"  # the series as stored, unless --scale says
    assert ragged["published"] == "" and ragged["n_channels"] == "3"
    assert ragged["n_timepoints"] == "5-9"
    table = Path(f"{out}.md").read_text()
    assert "| GunPoint | UCR2018 | accuracy |" in table and "| Ragged |  | accuracy |" in table
    assert "accuracy: 1 dataset(s) compared; mean difference (ours - published)" in table
    assert "Command: `python benchmarks/accuracy.py GunPoint " in table
    assert Path(f"{out}.png").read_bytes().startswith(b"\x89PNG")
    assert "GunPoint: accuracy" in capsys.readouterr().out


def test_the_networks_parameters_reach_the_estimator(accuracy_script, tmp_path):
    """--lr-schedule one_cycle and the network's sizes are the estimator's; the rest are
    the estimator's defaults (the recipe's), not the script's."""
    args = accuracy_script.parse_args(["GunPoint", "--lr-schedule", "one_cycle",
                                       "--n-filters", "4", "--depth", "1"])
    assert accuracy_script.network_params(args) == {
        "n_filters": 4, "depth": 1, "lr_schedule": "one_cycle", "device": "auto"}
    out = tmp_path / "fast"
    accuracy_script.main([
        "GunPoint", "--n-estimators", "1", "--max-epochs", "2", "--n-filters", "4",
        "--depth", "1", "--kernel-size", "8", "--lr-schedule", "one_cycle", "--threads", "1",
        "--quiet", "--out", str(out),
    ])
    with open(f"{out}.csv", newline="") as file:
        (row,) = list(csv.DictReader(file))
    assert (row["n_estimators"], row["max_epochs"]) == ("1", "2")


def test_a_family_member_beside_its_published_accuracy(accuracy_script, tmp_path):
    """--model litetime trains LITETime and puts LITETime's published accuracy beside it."""
    out = tmp_path / "lite"
    accuracy_script.main(["GunPoint", "--model", "litetime", "--n-estimators", "1",
                          "--max-epochs", "2", "--n-filters", "4", "--depth", "3",
                          "--threads", "1", "--quiet", "--out", str(out)])
    with open(f"{out}.csv", newline="", encoding="utf-8") as file:
        (row,) = list(csv.DictReader(file))
    assert float(row["published"]) == published_accuracy("GunPoint", model="LITETime")
    assert row["model"] == "litetime"
    assert "Run with: model litetime" in (tmp_path / "lite.md").read_text()
