"""One training epoch per dataset, timed, and what a recipe's budget then costs beside the
paper's GPU training time.

For each dataset folder: trains one ``InceptionNetworkClassifier`` for ``--epochs`` + 1
epochs on its TRAIN split (series z-normalised, as the benchmark's ``scale=auto`` does on
UCR), takes the median of the epochs after the first (skorch's per-epoch ``dur``: the
first epoch pays one-off costs), and multiplies it by the networks x epochs of the fast
recipe's budget for that training set (``inceptionsk.recipes.fast_budget``, or
``--n-estimators`` x ``--max-epochs``): the projected training time, and its ratio to the
paper's published GPU time for the dataset. The projection leaves out what a whole fit
adds to its epochs (the first epoch's warm-up, the final scoring), measured by the
benchmark command's ``seconds`` instead; its use is to see, in a minute of a quiet
machine, which datasets a budget keeps within the paper's time.

Times from a loaded machine are not findings: the run prints the 1-minute load average
and an fp32 matmul peak at its start and its end, and writes the load into each row.

Run from the repository root with the package importable::

    python benchmarks/epoch_times.py ARCHIVES/UCR --precision bfloat16 --threads 2 \\
        --out benchmarks/results/archives/ucr_epoch_times_bf16.csv
"""

import argparse
import os
import statistics
from pathlib import Path

import torch
from machine import load_average, matmul_peak_gflops
from resumable import announce, append_row, read_rows

from inceptionsk import InceptionNetworkClassifier, SeriesStandardScaler
from inceptionsk.datasets import load_dataset, published_result
from inceptionsk.recipes import fast_budget

COLUMNS = ["dataset", "n_train", "n_timepoints", "precision", "threads", "epoch_s",
           "n_estimators", "max_epochs", "projected_s", "paper_gpu_s", "projected_ratio",
           "load_at_start"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("archive", help="a folder of dataset folders (UCR .tsv or .ts) or "
                        "of .npz files")
    parser.add_argument("--datasets", help="A,B: only these (default: every folder)")
    parser.add_argument("--out", required=True, help="the CSV file, appended to (resumable)")
    parser.add_argument("--precision", choices=["float32", "bfloat16"], default="float32")
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs (after one)")
    parser.add_argument("--n-estimators", type=int, help="networks (default: fast recipe's)")
    parser.add_argument("--max-epochs", type=int, help="epochs (default: fast recipe's)")
    return parser.parse_args(argv)


def epoch_seconds(X, y, args):
    """The median duration of the epochs after the first of one network's training."""
    network = InceptionNetworkClassifier(
        max_epochs=args.epochs + 1, lr_schedule="one_cycle", precision=args.precision,
        random_state=0, device="cpu").fit(X, y)
    return statistics.median(network.history_[1:, "dur"])


def dataset_row(path, args):
    X, y = load_dataset(path, split="train", return_X_y=True)
    X = SeriesStandardScaler().fit_transform(X)
    budget = fast_budget(len(X))
    n_estimators = args.n_estimators or budget.n_estimators
    max_epochs = args.max_epochs or budget.max_epochs
    load_at_start = os.getloadavg()[0]
    seconds = epoch_seconds(X, y, args)
    projected = seconds * n_estimators * max_epochs
    published = published_result(path.stem, n_channels=X.shape[1])
    paper = published.train_time_s if published else None
    return {
        "dataset": path.stem, "n_train": len(X), "n_timepoints": X.shape[-1],
        "precision": args.precision, "threads": torch.get_num_threads(),
        "epoch_s": f"{seconds:.4f}", "n_estimators": n_estimators, "max_epochs": max_epochs,
        "projected_s": f"{projected:.1f}", "paper_gpu_s": paper or "",
        "projected_ratio": f"{projected / paper:.3f}" if paper else "",
        "load_at_start": f"{load_at_start:.2f}",
    }


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    announce("epoch_times.py", argv)
    print(f"load {load_average():.2f}, matmul peak {matmul_peak_gflops():.0f} GFLOP/s")
    done = {row["dataset"] for row in read_rows(args.out)}
    names = args.datasets.split(",") if args.datasets else None
    paths = sorted(p for p in Path(args.archive).iterdir() if p.is_dir() or p.suffix == ".npz")
    for path in paths:
        if (names and path.stem not in names) or path.stem in done:
            continue
        row = dataset_row(path, args)
        append_row(args.out, row, COLUMNS)
        print(", ".join(f"{k} {row[k]}" for k in ("dataset", "epoch_s", "projected_s",
                                                   "paper_gpu_s", "projected_ratio")),
              flush=True)
    print(f"load {load_average():.2f}, matmul peak {matmul_peak_gflops():.0f} GFLOP/s")
    rows = [r for r in read_rows(args.out) if r["projected_ratio"]]
    within = sum(float(r["projected_ratio"]) < 1 for r in rows)
    print(f"{within} of {len(rows)} datasets projected within the paper's GPU time")


if __name__ == "__main__":
    main()
