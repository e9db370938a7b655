"""Two or more benchmark runs side by side, on the datasets they share.

Reads results CSVs written by ``inceptionsk benchmark --out`` (one per recipe, model or
setting) and writes one markdown table: per dataset the published result, each run's
score and difference from it, its networks x epochs and its compute ratio; under it, each
run's mean difference over the shared datasets. Rows with an error, and datasets missing
from any of the runs, are left out, so that every mean is over the same datasets; those
of the first run that another lacks are named under the table. A run split over several
files (a resumed run continued in another configuration, which ``--out`` keeps apart)
is ``LABEL=A.csv,B.csv``: the rows of each, a dataset taken from the first file that
has it.

Run from the repository root::

    python benchmarks/compare_runs.py \\
        paper=benchmarks/results/archives/ucr_paper_bf16.csv \\
        fast=benchmarks/results/archives/ucr_fast_bf16.csv \\
        --out benchmarks/results/archives/ucr_paper_vs_fast.md
"""

import argparse
from pathlib import Path

import numpy as np

from inceptionsk.benchmark import BenchmarkResult


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("runs", nargs="+", metavar="LABEL=RESULTS.csv",
                        help="a label for the run and its results CSV, or several CSVs "
                             "separated by commas (two or more runs)")
    parser.add_argument("--out", help="write the table to this markdown file too")
    args = parser.parse_args(argv)
    if len(args.runs) < 2 or any("=" not in run for run in args.runs):
        parser.error("give two or more runs as LABEL=RESULTS.csv")
    return args


def usable_rows(paths):
    """The rows of results CSVs (``A.csv,B.csv``) that have a score and a published
    result, by dataset; a dataset in several files is taken from the first."""
    rows = {}
    for path in paths.split(","):
        for row in BenchmarkResult.from_csv(path).rows:
            if not row.get("error") and row.get("difference") is not None:
                rows.setdefault(row["dataset"], row)
    return rows


def compare(runs):
    """The markdown table of ``runs``, a dict of label to rows by dataset."""
    labels = list(runs)
    shared = sorted(set.intersection(*(set(rows) for rows in runs.values())))
    header = "| dataset | published |" + "".join(
        f" {label} | difference | networks x epochs | compute ratio |" for label in labels)
    lines = [header, "| --- | ---: |" + " ---: | ---: | --- | ---: |" * len(labels)]
    for dataset in shared:
        first = runs[labels[0]][dataset]
        number = ".4f" if first["metric"] == "accuracy" else ".4g"
        cells = [dataset, format(first["published"], number)]
        for label in labels:
            row = runs[label][dataset]
            cells += [format(row["score"], number), format(row["difference"], "+" + number),
                      f"{row['n_estimators']} x {row['max_epochs']}",
                      format(row["compute_ratio"], ".3g")]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for label in labels:
        differences = [runs[label][dataset]["difference"] for dataset in shared]
        lines.append(f"{label}: mean difference {np.mean(differences):+.4f} over the "
                     f"{len(shared)} shared dataset(s).")
    missing = sorted(set(runs[labels[0]]) - set(shared))
    if missing:
        lines.append(f"In {labels[0]} but not in every other run (left out): "
                     f"{', '.join(missing)}.")
    return "\n".join(lines) + "\n"


def main(argv=None):
    args = parse_args(argv)
    runs = {}
    for run in args.runs:
        label, paths = run.split("=", 1)
        runs[label] = usable_rows(paths)
    table = compare(runs)
    print(table, end="")
    if args.out:
        Path(args.out).write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()
