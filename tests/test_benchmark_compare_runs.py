"""benchmarks/compare_runs.py: two results files side by side, means over shared sets."""

import csv

import pytest
from conftest import load_benchmark

from inceptionsk.benchmark import COLUMNS


def write_results(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        writer.writeheader()
        for dataset, score, published, networks in rows:
            writer.writerow({"dataset": dataset, "metric": "accuracy", "score": score,
                             "published": published, "difference": score - published,
                             "n_estimators": networks, "max_epochs": 300,
                             "compute_ratio": networks * 300 / 7500})


def test_the_runs_side_by_side_on_their_shared_datasets(tmp_path, capsys):
    script = load_benchmark("compare_runs")
    write_results(tmp_path / "a.csv", [("A", 0.9, 0.8, 5), ("B", 0.75, 0.8, 5),
                                       ("OnlyA", 0.5, 0.5, 5)])
    write_results(tmp_path / "b.csv", [("A", 0.8, 0.8, 2), ("B", 0.8, 0.8, 2)])
    out = tmp_path / "table.md"
    script.main([f"paper={tmp_path / 'a.csv'}", f"fast={tmp_path / 'b.csv'}",
                 "--out", str(out)])
    table = out.read_text(encoding="utf-8")
    assert table == capsys.readouterr().out
    assert "| A | 0.8000 | 0.9000 | +0.1000 | 5 x 300 | 0.2 | 0.8000 | +0.0000 | 2 x 300 " \
           "| 0.08 |" in table
    assert "paper: mean difference +0.0250 over the 2 shared dataset(s)." in table
    assert "In paper but not in every other run (left out): OnlyA." in table


def test_a_run_split_over_two_files_is_one_run(tmp_path, capsys):
    """LABEL=A.csv,B.csv: a run continued in another file (say, another precision) joins
    its rows; a dataset in both is taken from the first file."""
    script = load_benchmark("compare_runs")
    write_results(tmp_path / "bf16.csv", [("A", 0.9, 0.8, 1), ("B", 0.75, 0.8, 1)])
    write_results(tmp_path / "fp32.csv", [("B", 0.5, 0.8, 1), ("C", 0.8, 0.8, 1)])
    write_results(tmp_path / "earlier.csv", [("A", 0.8, 0.8, 2), ("B", 0.8, 0.8, 2),
                                             ("C", 0.7, 0.8, 2)])
    script.main([f"one={tmp_path / 'bf16.csv'},{tmp_path / 'fp32.csv'}",
                 f"earlier={tmp_path / 'earlier.csv'}"])
    table = capsys.readouterr().out
    assert "| B | 0.8000 | 0.7500 | -0.0500 |" in table
    assert "| C | 0.8000 | 0.8000 | +0.0000 |" in table
    assert "one: mean difference +0.0167 over the 3 shared dataset(s)." in table


def test_one_run_is_refused():
    script = load_benchmark("compare_runs")
    with pytest.raises(SystemExit):
        script.main(["only=x.csv"])
