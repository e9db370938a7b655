"""The paper's own runs, judged by the benchmark's targets: what a faithful port can reach.

InceptionTime's official table is one run of a 5-network ensemble. The authors published
the five single networks behind it (``inception_single_runs_ucr.csv``, bundled): each is
the paper's recipe at 1/5 of its compute. This script scores each of the five, over the
datasets of a results CSV of ``inceptionsk benchmark``, as if it were a benchmark run of
ours: mean difference from the official table, wins/ties/losses, and the sets more than
0.03 (or one test case) below it, with the benchmark's own summary. Given ``--rerun`` (a
CSV of ``dataset`` and accuracy columns, e.g. the LITE paper's table, which reports
InceptionTime again from the authors' later run), it scores that column too: the same
recipe, the same code, another run.

Usage, from the repository root::

    python benchmarks/paper_spread.py benchmarks/results/archives/ucr_fast_bf16.csv \\
        --rerun REFERENCE/litetime_published.csv:InceptionTime_as_reported_by_LITE
"""

import argparse
import csv

import numpy as np

from inceptionsk.benchmark import BenchmarkResult
from inceptionsk.datasets import published_result, published_single_runs


def _row(dataset, score, n_test, compute_ratio):
    published = published_result(dataset, archive="UCR2018").accuracy
    return {"dataset": dataset, "metric": "accuracy", "score": score, "published": published,
            "difference": score - published, "n_test": n_test,
            "compute_ratio": compute_ratio}


def paper_runs(datasets):
    """Rows of each of the paper's five single-network runs, and of their mean.

    Parameters
    ----------
    datasets : dict
        UCR dataset name -> number of test cases.

    Returns
    -------
    runs : dict
        Run name -> list of benchmark rows (dicts).
    """
    singles = {name: published_single_runs(name) for name in datasets}
    runs = {f"paper single network, iteration {i}": [
        _row(name, accuracies[i], datasets[name], 0.2) for name, accuracies in singles.items()]
        for i in range(5)}
    runs["mean of the paper's five single networks"] = [
        _row(name, float(np.mean(accuracies)), datasets[name], 0.2)
        for name, accuracies in singles.items()]
    return runs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", help="a results CSV of `inceptionsk benchmark` on UCR "
                        "sets: its datasets and test sizes are the ones scored")
    parser.add_argument("--rerun", help="CSV:COLUMN, another published run of the "
                        "ensemble (a `dataset` column and an accuracy column)")
    args = parser.parse_args(argv)

    ours = BenchmarkResult.from_csv(args.results)
    datasets = {row["dataset"]: row["n_test"] for row in ours.rows
                if published_single_runs(row["dataset"]) is not None}
    runs = {"ours (" + args.results + ")": [row for row in ours.rows
                                            if row["dataset"] in datasets]}
    runs.update(paper_runs(datasets))
    if args.rerun:
        path, column = args.rerun.rsplit(":", 1)
        with open(path, newline="") as file:
            table = {row["dataset"]: row[column] for row in csv.DictReader(file)}
        runs[f"published rerun ({column})"] = [
            _row(name, float(table[name]), n_test, 1.0)
            for name, n_test in datasets.items() if table.get(name)]
    print(f"{len(datasets)} UCR datasets of {args.results}, against the official table\n")
    for name, rows in runs.items():
        print(f"{name}:\n  " + BenchmarkResult(rows).summary_lines()[0] + "\n")


if __name__ == "__main__":
    main()
