"""Test accuracy of an InceptionTime configuration on several datasets, beside the paper's.

Fits ``InceptionTimeClassifier`` on each dataset's TRAIN split, scores the TEST split and
puts the result beside the published accuracy of the paper's 5-network ensemble
(``inceptionsk.datasets.published_accuracy``). Writes ``OUT.csv`` (one row per dataset,
rewritten after each), ``OUT.md`` (the table, mean difference, wins/ties/losses, the
machine and the command) and ``OUT.png`` (ours vs paper).

Run from the repository root with the package installed (or ``PYTHONPATH=.``)::

    nice -n 10 python benchmarks/accuracy.py GunPoint BasicMotions \\
        data/ItalyPowerDemand.npz ~/UCRArchive_2018/Coffee \\
        --n-estimators 2 --max-epochs 200 --threads 1 --out benchmarks/results/short

DATA are bundled names, UCR/UEA dataset folders, ``.ts``/``.tsv`` files of a pair, or
``.npz`` files with ``X_train``, ``y_train``, ``X_test``, ``y_test`` (see
``inceptionsk.datasets.load_dataset``). The defaults are the paper's recipe (5 networks
x 1500 epochs), which takes hours per dataset on a CPU: pass a budget.

Series of unequal length go to the estimators as they are (``--unequal native``, the
default: the networks mask the padding), or padded at the end with zeros to the longest
series of the dataset (``--unequal pad-zeros``, how ``RESULTS.md``'s runs were made,
before the estimators took unequal lengths); the table notes which.
"""

import argparse
import csv
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import torch
from machine import machine_description
from sklearn.metrics import accuracy_score, balanced_accuracy_score
from sklearn.pipeline import make_pipeline

from inceptionsk import SeriesStandardScaler
from inceptionsk.cli import MODELS
from inceptionsk.datasets import load_dataset, published_result

COLUMNS = [
    "dataset", "archive", "n_train", "n_test", "n_channels", "n_timepoints", "n_classes",
    "accuracy", "balanced_accuracy", "train_accuracy", "paper_accuracy", "difference",
    "train_time_s", "paper_train_time_s", "inceptiontime_paper_accuracy", "lowest_train_loss",
    "final_lr", "note",
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("datasets", nargs="+", metavar="DATA",
                        help="bundled name, dataset folder, .ts/.tsv file or .npz file")
    parser.add_argument("--out", default="benchmarks/out/accuracy",
                        help="path prefix of the .csv, .md and .png written "
                             "(default: %(default)s)")
    parser.add_argument("--model", choices=list(MODELS), default="inceptiontime",
                        help="the family member, as the command line's --model "
                             "(default: %(default)s)")
    parser.add_argument("--n-estimators", type=int, default=5)
    parser.add_argument("--max-epochs", type=int, default=1500)
    parser.add_argument("--n-filters", type=int, default=32)
    parser.add_argument("--depth", type=int, default=6)
    parser.add_argument("--kernel-size", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.001)
    parser.add_argument("--lr-schedule", choices=["plateau", "one_cycle"], default="plateau",
                        help="plateau: the paper's; one_cycle: the fast recipe")
    parser.add_argument("--scale", action="store_true",
                        help="z-normalise each series first (SeriesStandardScaler)")
    parser.add_argument("--unequal", choices=["native", "pad-zeros", "skip"], default="native",
                        help="what to do with series of unequal length (default: %(default)s)")
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--precision", choices=["float32", "bfloat16"], default="float32",
                        help="the arithmetic of training (default: %(default)s)")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads (torch.set_num_threads); default: torch's")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser.parse_args(argv)


def pad_with_zeros(*collections):
    """Pad unequal-length series (object arrays of 2D arrays) at the end to one length."""
    length = max(case.shape[-1] for X in collections for case in X)
    return [
        np.stack([np.pad(case, ((0, 0), (0, length - case.shape[-1]))) for case in X])
        .astype(np.float32)
        for X in collections
    ]


def make_estimator(args):
    choice = MODELS[args.model]
    params = dict(
        n_estimators=args.n_estimators, max_epochs=args.max_epochs, n_filters=args.n_filters,
        depth=args.depth, kernel_size=args.kernel_size, batch_size=args.batch_size,
        lr=args.lr, lr_schedule=args.lr_schedule, device=args.device,
        precision=args.precision, random_state=args.random_state,
        verbose=0 if args.quiet else 1, **choice.params,
    )
    accepted = choice.estimator._get_param_names()  # LITE has no depth
    classifier = choice.estimator(**{key: value for key, value in params.items()
                                     if key in accepted})
    return make_pipeline(SeriesStandardScaler(), classifier) if args.scale else classifier


def run_one(data, args):
    """Fit and score one dataset; return its row of results."""
    train = load_dataset(data, split="train", allow_pickle=True)
    X_test, y_test = load_dataset(data, split="test", return_X_y=True, allow_pickle=True)
    X_train, y_train = train.data, train.target
    note = ""
    if X_train.dtype == object or X_test.dtype == object:
        if args.unequal == "skip":
            return None
        lengths = [case.shape[-1] for X in (X_train, X_test) for case in X]
        note = f"unequal length {min(lengths)}-{max(lengths)}"
        if args.unequal == "pad-zeros":
            X_train, X_test = pad_with_zeros(X_train, X_test)
            note += f", zero-padded to {max(lengths)}"
    estimator = make_estimator(args)
    start = time.perf_counter()
    estimator.fit(X_train, y_train)
    train_time = time.perf_counter() - start
    y_pred = estimator.predict(X_test)
    ensemble = estimator[-1] if args.scale else estimator
    histories = [member.history_ for member in ensemble.estimators_]
    n_channels, n_timepoints = X_train[0].shape  # the longest length is in the note
    paper = published_result(train.name, n_channels=n_channels,
                             model=MODELS[args.model].published)
    inception_time = published_result(train.name, n_channels=n_channels)
    accuracy = accuracy_score(y_test, y_pred)
    return {
        "dataset": train.name,
        "archive": paper.archive if paper else "",
        "n_train": len(y_train), "n_test": len(y_test),
        "n_channels": n_channels,
        "n_timepoints": n_timepoints if X_train.dtype != object else "",
        "n_classes": len(np.unique(y_train)),
        "accuracy": round(accuracy, 4),
        "balanced_accuracy": round(balanced_accuracy_score(y_test, y_pred), 4),
        "train_accuracy": round(accuracy_score(y_train, estimator.predict(X_train)), 4),
        "paper_accuracy": paper.accuracy if paper else "",
        # + 0.0 turns a rounded -0.0 into 0.0, which prints without a minus sign
        "difference": round(accuracy - paper.accuracy, 4) + 0.0 if paper else "",
        "train_time_s": round(train_time, 1),
        "paper_train_time_s": inception_time.train_time_s if inception_time else "",
        "inceptiontime_paper_accuracy": inception_time.accuracy if inception_time else "",
        "lowest_train_loss": float(np.mean([min(h[:, "train_loss"]) for h in histories])),
        "final_lr": float(np.mean([_last_learning_rate(h) for h in histories])),
        "note": note,
    }


def _last_learning_rate(history):
    """The learning rate of the last epoch; skorch records a schedule stepped every batch
    (one-cycle) in the batches, and then the last batch's rate is taken."""
    if "event_lr" in history[-1]:
        return history[-1, "event_lr"]
    return history[-1, "batches", -1, "event_lr"]


def write_csv(rows, path):
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def markdown(rows, args, command, total_time):
    published = MODELS[args.model].published
    lines = [
        f"Configuration: {args.model}, {args.n_estimators} network(s) x {args.max_epochs} "
        f"epochs, n_filters={args.n_filters}, depth={args.depth}, "
        f"kernel_size={args.kernel_size}, "
        f"batch_size={args.batch_size}, lr={args.lr}, lr_schedule={args.lr_schedule}, "
        f"precision={args.precision}, random_state={args.random_state}"
        f"{', series z-normalised' if args.scale else ''} (the paper: 5 networks x 1500 "
        "epochs).",
        "",
        f"Machine: {machine_description()}. Total time {total_time / 60:.1f} min.",
        "",
        f"Command: `{command}`",
        "",
        f"| dataset | train/test | ours | paper ({published}) | difference | "
        "paper (InceptionTime) | balanced acc. | train acc. | train time (s) "
        "| InceptionTime's paper train time (s, GPU) | note |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        paper = f"{row['paper_accuracy']:.4f}" if row["paper_accuracy"] != "" else "n/a"
        difference = f"{row['difference']:+.4f}" if row["difference"] != "" else "n/a"
        inception_time = row["inceptiontime_paper_accuracy"]
        inception_time = f"{inception_time:.4f}" if inception_time != "" else "n/a"
        lines.append(
            f"| {row['dataset']} | {row['n_train']}/{row['n_test']} | {row['accuracy']:.4f} "
            f"| {paper} | {difference} | {inception_time} | {row['balanced_accuracy']:.4f} "
            f"| {row['train_accuracy']:.4f} | {row['train_time_s']:.0f} "
            f"| {row['paper_train_time_s'] or 'n/a'} | {row['note']} |"
        )
    differences = np.array([row["difference"] for row in rows if row["difference"] != ""])
    if len(differences):
        lines += [
            "",
            f"Mean difference (ours - paper) over {len(differences)} datasets: "
            f"{differences.mean():+.4f}. Wins/ties/losses against the paper: "
            f"{np.sum(differences > 0)}/{np.sum(differences == 0)}/{np.sum(differences < 0)}.",
        ]
    return "\n".join(lines) + "\n"


def plot(rows, path):
    import matplotlib

    matplotlib.use("Agg")
    from inceptionsk.plotting import plot_accuracy_vs_paper

    known = [row for row in rows if row["paper_accuracy"] != ""]
    ax = plot_accuracy_vs_paper(
        [row["accuracy"] for row in known], [row["paper_accuracy"] for row in known],
        [row["dataset"] for row in known],
    )
    ax.figure.savefig(path, dpi=100, bbox_inches="tight")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    command = " ".join(["python", "benchmarks/accuracy.py", *map(shlex.quote, argv)])
    rows, start = [], time.perf_counter()
    for data in args.datasets:
        row = run_one(data, args)
        if row is None:
            print(f"{data}: skipped (unequal length)", flush=True)
            continue
        rows.append(row)
        print(f"{row['dataset']}: accuracy {row['accuracy']:.4f} (paper "
              f"{row['paper_accuracy'] or 'n/a'}), trained in {row['train_time_s']:.0f} s",
              flush=True)
        write_csv(rows, Path(f"{out}.csv"))
    report = markdown(rows, args, command, time.perf_counter() - start)
    Path(f"{out}.md").write_text(report, encoding="utf-8")
    plot(rows, Path(f"{out}.png"))
    print(report)


if __name__ == "__main__":
    main()
