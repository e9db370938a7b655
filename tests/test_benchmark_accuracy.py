"""Runs benchmarks/accuracy.py with a tiny budget, so that the benchmark script never rots."""

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
    assert gunpoint["archive"] == "UCR2018" and float(gunpoint["paper_accuracy"]) == 1.0
    assert float(gunpoint["difference"]) == pytest.approx(float(gunpoint["accuracy"]) - 1.0)
    assert (gunpoint["n_train"], gunpoint["n_test"]) == ("50", "150")
    assert ragged["paper_accuracy"] == "" and ragged["n_channels"] == "3"
    assert ragged["note"] == "unequal length 5-9"
    table = Path(f"{out}.md").read_text()
    assert "Configuration: inceptiontime, 1 network(s) x 2 epochs" in table
    assert "| GunPoint | 50/150 |" in table and "| Ragged | 12/12 |" in table
    assert "Mean difference (ours - paper) over 1 datasets" in table
    assert "Command: `python benchmarks/accuracy.py GunPoint " in table
    assert Path(f"{out}.png").read_bytes().startswith(b"\x89PNG")
    assert "GunPoint: accuracy" in capsys.readouterr().out


def test_unequal_lengths_padded_with_zeros(accuracy_script, tmp_path):
    out = tmp_path / "padded"
    accuracy_script.main([
        str(write_unequal_pair(tmp_path)), "--unequal", "pad-zeros", "--n-estimators", "1",
        "--max-epochs", "1", "--n-filters", "4", "--depth", "1", "--kernel-size", "8",
        "--threads", "1", "--quiet", "--out", str(out),
    ])
    with open(f"{out}.csv", newline="") as file:
        (row,) = csv.DictReader(file)
    assert row["n_timepoints"] == "9"
    assert row["note"] == "unequal length 5-9, zero-padded to 9"


def test_padding_with_zeros(accuracy_script):
    short, long = np.ones((2, 3), np.float32), np.full((2, 5), 2, np.float32)
    train, test = accuracy_script.pad_with_zeros([short], [long])
    assert train.shape == test.shape == (1, 2, 5)
    np.testing.assert_array_equal(train[0, :, 3:], 0)
    np.testing.assert_array_equal(test[0], long)


def test_the_fast_recipe(accuracy_script, tmp_path):
    """The one-cycle schedule records its rate per batch; the table still gets the last."""
    out = tmp_path / "fast"
    accuracy_script.main([
        "GunPoint", "--n-estimators", "1", "--max-epochs", "2", "--n-filters", "4",
        "--depth", "1", "--kernel-size", "8", "--lr-schedule", "one_cycle", "--threads", "1",
        "--quiet", "--out", str(out),
    ])
    with open(f"{out}.csv", newline="") as file:
        (row,) = list(csv.DictReader(file))
    assert 0 < float(row["final_lr"]) < 1e-4  # annealed to nearly zero
    assert "lr_schedule=one_cycle" in Path(f"{out}.md").read_text()


def test_a_family_member_beside_its_published_accuracy(accuracy_script, tmp_path):
    """--model litetime trains LITETime and puts LITETime's published accuracy beside it,
    InceptionTime's in its own column."""
    out = tmp_path / "lite"
    accuracy_script.main(["GunPoint", "--model", "litetime", "--n-estimators", "1",
                          "--max-epochs", "2", "--n-filters", "4", "--threads", "1",
                          "--quiet", "--out", str(out)])
    with open(f"{out}.csv", newline="", encoding="utf-8") as file:
        (row,) = list(csv.DictReader(file))
    assert float(row["paper_accuracy"]) == published_accuracy("GunPoint", model="LITETime")
    assert float(row["inceptiontime_paper_accuracy"]) == published_accuracy("GunPoint")
    assert "Configuration: litetime" in (tmp_path / "lite.md").read_text()
