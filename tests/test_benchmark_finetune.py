"""Runs benchmarks/finetune.py with a tiny budget, so that the benchmark script never rots."""

import csv
from pathlib import Path

import pytest
from conftest import TINY, load_benchmark

ITALY = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "ItalyPowerDemand.npz"
#: conftest's TINY network as options; budgets of 1 and 2 epochs, two seeds.
TINY_OPTIONS = [
    "--seeds", "0", "1", "--budgets", "1", "2", "--source-epochs", "1", "--freeze", "1",
    "--n-filters", str(TINY["n_filters"]), "--depth", str(TINY["depth"]),
    "--kernel-size", str(TINY["kernel_size"]), "--batch-size", str(TINY["batch_size"]),
    "--threads", "1", "--scale", "--quiet",
]


@pytest.fixture(scope="module")
def script():
    return load_benchmark("finetune")


def read_rows(path):
    with open(path, newline="") as file:
        return list(csv.DictReader(file))


def test_rows_per_seed_budget_and_method_and_a_rerun_skips_them(script, tmp_path, capsys):
    out = tmp_path / "results" / "finetune.csv"
    script.main([f"GunPoint:{ITALY}", *TINY_OPTIONS, "--out", str(out)])
    rows = read_rows(out)
    assert list(rows[0]) == script.COLUMNS
    assert [(r["seed"], r["budget"], r["method"]) for r in rows] == [
        (seed, budget, method) for seed in "01" for budget in "12"
        for method in ("fine-tuned", "scratch")]
    assert {(r["source"], r["target"], r["freeze"]) for r in rows} == {
        ("GunPoint", "ItalyPowerDemand", "1")}
    for row in rows:
        assert 0 <= float(row["accuracy"]) <= 1 and float(row["fit_s"]) > 0
    # the source network is saved beside the CSV and loaded by a rerun, which adds only
    # the missing rows (here a third seed)
    (saved,) = (tmp_path / "results" / "finetune_sources").iterdir()
    stamp = saved.stat().st_mtime_ns
    script.main([f"GunPoint:{ITALY}", *TINY_OPTIONS, "--seeds", "0", "1", "2",
                 "--out", str(out)])
    again = read_rows(out)
    assert again[:8] == rows and len(again) == 12
    assert saved.stat().st_mtime_ns == stamp
    text = capsys.readouterr().out
    assert "GunPoint -> ItalyPowerDemand (freeze 1):" in text
    assert "2 epochs, fine-tuned: accuracy" in text and "(mean of 3 seeds)" in text
    assert "fine-tuning reaches scratch's accuracy after 2 epochs" in text


def test_a_pair_needs_a_colon(script, tmp_path):
    with pytest.raises(SystemExit, match="SOURCE:TARGET"):
        script.main(["GunPoint", *TINY_OPTIONS, "--out", str(tmp_path / "x.csv")])
