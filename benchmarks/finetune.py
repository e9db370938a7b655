"""Fine-tuning: a network pretrained on a larger dataset, fine-tuned on a smaller related one,
against the same network trained from scratch at the same budget.

For each ``SOURCE:TARGET`` pair: trains one ``InceptionNetworkClassifier`` on SOURCE's
TRAIN split (``--source-epochs``; saved with ``inceptionsk.save`` beside ``--out``, and
loaded from there by a rerun), then for every seed and budget (epochs) trains on
TARGET's TRAIN split (a) ``inceptionsk.fine_tune`` from the source network, with the
first ``--freeze`` Inception modules frozen, and (b) the same estimator from scratch,
and scores both on TARGET's TEST split. The summary gives, per pair and budget, the mean
accuracy over the seeds and the mean training time of each, and the smallest budget at
which fine-tuning reaches scratch's accuracy at the largest budget, with its time.

Resumable: one CSV row per (pair, seed, budget, method) is appended to ``--out`` as it
finishes; a rerun with the same ``--out`` skips the rows already there. Timings on a
loaded machine are not valid: each row records the 1-minute load average at its start.

Run from the repository root with the package installed (or ``PYTHONPATH=.``)::

    UCR=ARCHIVES/UCR
    nice -n 10 python benchmarks/finetune.py \\
        $UCR/GunPointMaleVersusFemale:$UCR/GunPoint \\
        $UCR/ProximalPhalanxOutlineCorrect:$UCR/DistalPhalanxOutlineCorrect \\
        --seeds 0 1 2 3 4 --budgets 25 50 100 200 --source-epochs 500 --scale \\
        --threads 2 --out benchmarks/results/finetune.csv

SOURCE and TARGET are dataset folders of the UCR/UEA archives, bundled names or ``.npz``
files (``inceptionsk.datasets.load_dataset``), with the same number of channels;
``--scale`` z-normalises every series of both first (``SeriesStandardScaler``).
"""

import argparse
import os
import re
import time
from pathlib import Path

import numpy as np
import torch
from resumable import announce, append_row, read_rows
from sklearn.base import clone

from inceptionsk import InceptionNetworkClassifier, SeriesStandardScaler, fine_tune, load
from inceptionsk.datasets import load_dataset

COLUMNS = [
    "source", "target", "seed", "budget", "method", "freeze", "accuracy", "fit_s",
    "source_accuracy", "source_epochs", "n_train", "n_test", "lr_schedule", "precision", "scale",
    "device", "threads", "load_at_start",
]
KEY = ("source", "target", "seed", "budget", "method", "freeze")
METHODS = ("fine-tuned", "scratch")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("pairs", nargs="+", metavar="SOURCE:TARGET")
    parser.add_argument("--out", required=True, help="the CSV file, appended to (resumable)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--budgets", type=int, nargs="+", default=[25, 50, 100, 200],
                        help="epochs on the target (default: %(default)s)")
    parser.add_argument("--source-epochs", type=int, default=500)
    parser.add_argument("--freeze", type=int, default=0,
                        help="leading Inception modules frozen (default: %(default)s)")
    parser.add_argument("--lr-schedule", choices=["plateau", "one_cycle"], default="plateau")
    parser.add_argument("--lr", type=float, default=0.001)
    parser.add_argument("--precision", choices=["float32", "bfloat16"], default="float32")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--n-filters", type=int, default=32)
    parser.add_argument("--depth", type=int, default=6)
    parser.add_argument("--kernel-size", type=int, default=40)
    parser.add_argument("--scale", action="store_true",
                        help="z-normalise every series first (SeriesStandardScaler)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    return parser.parse_args(argv)


def network(args, epochs, seed):
    return InceptionNetworkClassifier(
        max_epochs=epochs, lr_schedule=args.lr_schedule, lr=args.lr, precision=args.precision,
        batch_size=args.batch_size, n_filters=args.n_filters, depth=args.depth,
        kernel_size=args.kernel_size, device=args.device, random_state=seed,
    )


def splits(data, scale):
    """(X_train, y_train, X_test, y_test, name) of a dataset, z-normalised with ``scale``."""
    X, y = load_dataset(data, split="train", return_X_y=True)
    X_test, y_test = load_dataset(data, split="test", return_X_y=True)
    if scale:
        X, X_test = (SeriesStandardScaler().fit_transform(part) for part in (X, X_test))
    return X, y, X_test, y_test, load_dataset(data, split="train").name


def pretrained(source, args, out):
    """The source network, trained once and kept in a file beside ``out``."""
    X, y, X_test, y_test, name = splits(source, args.scale)
    recipe = f"{name}_{args.source_epochs}_{args.lr_schedule}_{args.precision}_{args.scale}"
    path = Path(out).with_name(f"{Path(out).stem}_sources") / (
        re.sub(r"[^\w.-]", "_", recipe) + ".pt")
    if path.exists():
        model = load(path, device=args.device)
    else:
        model = network(args, args.source_epochs, seed=0).fit(X, y)
        path.parent.mkdir(parents=True, exist_ok=True)
        model.save(path)
    return model, model.score(X_test, y_test), name


def done_keys(path):
    """The (pair, seed, budget, method) keys already in the CSV."""
    return {tuple(row[k] for k in KEY) for row in read_rows(path)}


def run_pair(pair, args, done):
    source_data, _, target_data = pair.rpartition(":")
    if not source_data:
        raise SystemExit(f"{pair!r}: pass a pair as SOURCE:TARGET")
    source, source_accuracy, source_name = pretrained(source_data, args, args.out)
    X, y, X_test, y_test, target_name = splits(target_data, args.scale)
    for seed in args.seeds:
        for budget in args.budgets:
            for method in METHODS:
                key = (source_name, target_name, str(seed), str(budget), method,
                       str(args.freeze))
                if key in done:
                    continue
                load_at_start = os.getloadavg()[0]
                estimator = network(args, budget, seed)
                start = time.perf_counter()
                if method == "scratch":
                    model = clone(estimator).fit(X, y)
                else:
                    model = fine_tune(source, estimator, X, y, freeze=args.freeze)
                seconds = time.perf_counter() - start
                row = dict(zip(KEY, key, strict=True)) | {
                    "accuracy": f"{model.score(X_test, y_test):.4f}", "fit_s": f"{seconds:.2f}",
                    "source_accuracy": f"{source_accuracy:.4f}",
                    "source_epochs": args.source_epochs, "n_train": len(X),
                    "n_test": len(X_test), "lr_schedule": args.lr_schedule,
                    "precision": args.precision, "scale": args.scale, "device": args.device,
                    "threads": torch.get_num_threads(), "load_at_start": f"{load_at_start:.2f}",
                }
                append_row(args.out, row, COLUMNS)
                if not args.quiet:
                    print(f"{source_name} -> {target_name} seed {seed}, {budget} epochs, "
                          f"{method}: {row['accuracy']} in {row['fit_s']} s", flush=True)


def summary(path):
    """Per pair and budget, the mean accuracy and time of each method; and the smallest
    budget at which fine-tuning reaches scratch's accuracy at the largest budget."""
    rows = read_rows(path)
    lines = []
    for pair in dict.fromkeys((row["source"], row["target"], row["freeze"]) for row in rows):
        mine = [row for row in rows if (row["source"], row["target"], row["freeze"]) == pair]
        budgets = sorted({int(row["budget"]) for row in mine})
        mean = {}
        for budget in budgets:
            for method in METHODS:
                chosen = [r for r in mine if int(r["budget"]) == budget and r["method"] == method]
                if chosen:
                    mean[budget, method] = (
                        np.mean([float(r["accuracy"]) for r in chosen]),
                        np.mean([float(r["fit_s"]) for r in chosen]), len(chosen))
        lines.append(f"{pair[0]} -> {pair[1]} (freeze {pair[2]}):")
        for (budget, method), (accuracy, seconds, n) in sorted(mean.items()):
            lines.append(f"  {budget} epochs, {method}: accuracy {accuracy:.4f} "
                         f"(mean of {n} seeds), {seconds:.1f} s")
        goal = mean.get((budgets[-1], "scratch"))
        if goal is not None:
            reached = [b for b in budgets
                       if (b, "fine-tuned") in mean and mean[b, "fine-tuned"][0] >= goal[0]]
            lines.append(
                f"  fine-tuning reaches scratch's accuracy after {budgets[-1]} epochs "
                f"({goal[0]:.4f}, {goal[1]:.1f} s) "
                + (f"after {reached[0]} epochs ({mean[reached[0], 'fine-tuned'][1]:.1f} s)"
                   if reached else "at none of the budgets"))
    return lines


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if not args.quiet:
        announce("finetune.py", argv)
    done = done_keys(args.out)
    for pair in args.pairs:
        run_pair(pair, args, done)
    for line in summary(args.out):
        print(line)


if __name__ == "__main__":
    main()
