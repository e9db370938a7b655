"""Runs benchmarks/distill.py with a tiny budget, so that the benchmark script never rots."""

import csv

import pytest
from conftest import TINY, load_benchmark

#: conftest's TINY networks as options, 2 members x 2 epochs, small speed timings.
TINY_OPTIONS = [
    "--n-estimators", "2", "--max-epochs", "2", "--n-filters", str(TINY["n_filters"]),
    "--depth", str(TINY["depth"]), "--kernel-size", str(TINY["kernel_size"]),
    "--lite-filters", "2", "--batch-size", str(TINY["batch_size"]),
    "--speed-shape", "32", "1", "40", "--speed-cases", "64", "--speed-repeats", "1",
    "--threads", "1", "--quiet",
]


@pytest.fixture(scope="module")
def script():
    return load_benchmark("distill")


def read_rows(path):
    with open(path, newline="") as file:
        return list(csv.DictReader(file))


def test_one_row_per_dataset_and_a_rerun_skips_them(script, tmp_path, capsys):
    out = tmp_path / "results" / "distill.csv"
    script.main(["GunPoint", *TINY_OPTIONS, "--out", str(out)])
    rows = read_rows(out)
    assert list(rows[0]) == script.COLUMNS
    assert [row["dataset"] for row in rows] == ["random 32x1x40", "GunPoint"]
    speed, gunpoint = rows
    for name in script.MODELS:
        assert 0 <= float(gunpoint[f"{name}_accuracy"]) <= 1
        assert float(gunpoint[f"{name}_predict_s"]) > 0
    assert float(gunpoint["student_minus_teacher"]) == pytest.approx(
        float(gunpoint["student_accuracy"]) - float(gunpoint["teacher_accuracy"]), abs=2e-4)
    # the teacher has two networks of the student's size
    assert int(gunpoint["teacher_parameters"]) == 2 * int(gunpoint["student_parameters"])
    assert (gunpoint["n_train"], gunpoint["n_test"], gunpoint["speed_cases"]) == (
        "50", "150", "64")
    assert speed["speed_cases"] == "32" and speed["teacher_accuracy"] == ""
    assert float(speed["student_speedup"]) == pytest.approx(
        float(speed["teacher_predict_s"]) / float(speed["student_predict_s"]), rel=0.01)
    # a rerun appends only what is missing
    script.main(["GunPoint", "BasicMotions", *TINY_OPTIONS, "--out", str(out)])
    rows = read_rows(out)
    assert [row["dataset"] for row in rows] == ["random 32x1x40", "GunPoint", "BasicMotions"]
    assert rows[1] == gunpoint
    assert "2 datasets: mean accuracy teacher" in capsys.readouterr().out


def test_speed_only_times_the_scoring_alone(script, tmp_path, capsys):
    out = tmp_path / "speed.csv"
    script.main(["--speed-only", *TINY_OPTIONS, "--out", str(out)])
    (row,) = read_rows(out)
    assert row["dataset"] == "random 32x1x40"
    assert float(row["student_speedup"]) > 0
    assert capsys.readouterr().out.count("matmul peak") == 2
    with pytest.raises(SystemExit):
        script.main(["--out", str(out)])  # neither datasets nor --speed-only
