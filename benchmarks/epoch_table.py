"""The epoch times of two runs of ``epoch_times.py`` side by side: bfloat16 against float32,
and what the fast recipe then costs beside the paper's GPU training time.

Reads the CSVs of a bfloat16 and a float32 run of ``benchmarks/epoch_times.py`` (the same
datasets, the same machine) and writes one markdown table: per dataset the two epoch
times, their ratio, the projected training time of the recipe's networks x epochs in each
precision and its ratio to the paper's published GPU time; then the summary (how many
sets project within the paper's time, the median and highest ratios, the total hours).

Usage, from the repository root::

    python benchmarks/epoch_table.py \\
        benchmarks/results/archives/ucr_epoch_times_xeon_bf16.csv \\
        benchmarks/results/archives/ucr_epoch_times_xeon_fp32.csv \\
        --out benchmarks/results/archives/ucr_epoch_times_xeon.md
"""

import argparse
import statistics

from resumable import read_rows


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bfloat16", help="CSV of epoch_times.py --precision bfloat16")
    parser.add_argument("float32", help="CSV of epoch_times.py --precision float32")
    parser.add_argument("--out", help="write the table to this file too")
    return parser.parse_args(argv)


def _summary(name, rows, column):
    ratios = [float(row[column]) for row in rows if row[column]]
    hours = sum(float(row["projected_s"]) for row in rows) / 3600
    within = sum(ratio < 1 for ratio in ratios)
    worst = max(rows, key=lambda row: float(row[column] or 0))
    return (f"{name}: within the paper's GPU time on {within} of {len(ratios)} sets, "
            f"median ratio {statistics.median(ratios):.3f}, highest {worst['dataset']} "
            f"{float(worst[column]):.3f}; {hours:.1f} hours for the {len(rows)} sets.")


def epoch_table(bfloat16_rows, float32_rows):
    """The markdown table of two epoch-time runs, joined on the dataset.

    Parameters
    ----------
    bfloat16_rows, float32_rows : list of dict
        The rows of the two CSVs (as ``csv.DictReader`` gives them).

    Returns
    -------
    markdown : str
        One line per dataset of both runs, sorted by name, then two summary lines.
    """
    by_name = {row["dataset"]: row for row in float32_rows}
    pairs = [(row, by_name[row["dataset"]]) for row in
             sorted(bfloat16_rows, key=lambda row: row["dataset"]) if row["dataset"] in by_name]
    if not pairs:
        raise ValueError("The two CSVs share no dataset: pass a bfloat16 and a float32 run "
                         "of epoch_times.py over the same archive.")
    budget = f"{pairs[0][0]['n_estimators']} x {pairs[0][0]['max_epochs']}"
    lines = [
        f"| dataset | train cases | length | epoch, bfloat16 (s) | epoch, float32 (s) "
        f"| float32 / bfloat16 | {budget} in bfloat16 (s) | ratio to the paper "
        f"| {budget} in float32 (s) | ratio to the paper | paper's GPU (s) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for low, full in pairs:
        speedup = float(full["epoch_s"]) / float(low["epoch_s"])
        lines.append(
            f"| {low['dataset']} | {low['n_train']} | {low['n_timepoints']} "
            f"| {float(low['epoch_s']):.3f} | {float(full['epoch_s']):.3f} | {speedup:.2f} "
            f"| {float(low['projected_s']):.0f} | {low['projected_ratio']} "
            f"| {float(full['projected_s']):.0f} | {full['projected_ratio']} "
            f"| {low['paper_gpu_s']} |")
    lines += ["", _summary("bfloat16", [low for low, _ in pairs], "projected_ratio"),
              _summary("float32", [full for _, full in pairs], "projected_ratio")]
    return "\n".join(lines) + "\n"


def main(argv=None):
    args = parse_args(argv)
    table = epoch_table(read_rows(args.bfloat16), read_rows(args.float32))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as file:
            file.write(table)
    print(table, end="")


if __name__ == "__main__":
    main()
