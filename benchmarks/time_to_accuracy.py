"""Time to accuracy: the wall-clock and test accuracy of InceptionTime over a grid of budgets.

For each dataset and budget (networks x epochs), fits ``InceptionTimeClassifier`` on the
TRAIN split, scores the TEST split and puts the accuracy beside the paper's
(``inceptionsk.datasets.published_accuracy``, its 5-network ensemble after 1500 epochs);
then names, per dataset, the smallest budget that reaches the paper's accuracy, and its
training time. ``--recipe fast`` (the default) is the one-cycle schedule over
2 networks x 25, 50, 100, 200, 300 epochs (the package's fast recipe of that time; it is
one network of the paper's recipe now); ``--recipe paper`` is the paper's plateau
schedule, 5 networks x 1500 epochs, run to the end.

Writes ``OUT.csv`` (one row per fit) and ``OUT.md`` (the tables, the machine, torch's
threads, the command, the date, the load average and an fp32 matmul peak at the start
and at the end), both rewritten after every fit, so that a long run that is stopped
(Ctrl-C: exit code 130) keeps the fits it completed. Timings on a loaded machine are not
valid: the script warns when the 1-minute load average is above 0.5 at the start; run it
on a quiet machine.

Run from the repository root with the package installed (or ``PYTHONPATH=.``)::

    # the one-cycle grid on GunPoint, ItalyPowerDemand and BasicMotions: 2 networks x
    # (25 + 50 + 100 + 200 + 300) epochs, 1,350 network-epochs per dataset
    nice -n 10 python benchmarks/time_to_accuracy.py --threads 2 --out benchmarks/results/tta_fast

    # the paper's recipe, 5 networks x 1500 epochs (7,500 network-epochs per dataset), once
    nice -n 10 python benchmarks/time_to_accuracy.py GunPoint ItalyPowerDemand --recipe paper \\
        --threads 2 --out benchmarks/results/tta_paper

    # the same grid, then aeon's InceptionTimeClassifier (TensorFlow) on the same data
    python -m pip install "torch==2.13.0" -e ".[benchmark]"
    nice -n 10 python benchmarks/time_to_accuracy.py --aeon --threads 2 \\
        --out benchmarks/results/tta_aeon

DATA are bundled names (GunPoint, BasicMotions), the name of a file in ``benchmarks/data``
(ItalyPowerDemand, from the UCR archive), dataset folders, ``.ts``/``.tsv`` files of a pair
or ``.npz`` files (see ``inceptionsk.datasets.load_dataset``). Every budget starts from the
same ``--random-state``, so the budgets differ only in epochs.

**aeon** (``--aeon``): aeon's ``InceptionTimeClassifier`` (TensorFlow/Keras) installs in
the same environment as this package (the ``benchmark`` extra: aeon 1.6 with TensorFlow
2.21 beside torch 2.13, scikit-learn 1.9 and numpy 2.3), so it runs in this process, after
all of ours, so that TensorFlow is not even imported while torch is timed. It trains with
its own recipe, which is the paper's (Adam, the plateau schedule on the training loss, the
weights of the lowest training loss kept, through a checkpoint file written to a temporary
folder as aeon does), with ``n_classifiers`` = ``--n-estimators``, the same batch size,
network size, ``random_state`` (seeded aeon's way) and threads (TensorFlow's intra- and
inter-op threads). aeon has no one-cycle schedule, so its budget rows put the paper's
recipe in TensorFlow beside ours; the per-epoch timing compares the implementations alone
(an epoch costs the same under either schedule). It gets:

- a per-epoch timing: one network x ``--epoch-timing`` epochs, the median epoch after the
  first (which traces the graph), beside the same run of ours;
- the budgets of ``--aeon-budgets`` (default: the same grid) in increasing order, stopping
  at the first that reaches the paper's accuracy, since larger budgets cannot shorten its
  time to that accuracy. Before each fit the script prints the fit's projected time (from
  the per-epoch timing); pass fewer budgets to bound the run.
"""

import argparse
import csv
import datetime
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from machine import machine_description, matmul_peak_gflops
from sklearn.metrics import accuracy_score

from inceptionsk import InceptionTimeClassifier
from inceptionsk.datasets import load_dataset, published_result

DATA_FOLDER = Path(__file__).resolve().parent / "data"
DEFAULT_DATASETS = ["GunPoint", "ItalyPowerDemand", "BasicMotions"]
RECIPES = {  # recipe: (lr_schedule, default networks, default budgets in epochs)
    "fast": ("one_cycle", 2, [25, 50, 100, 200, 300]),
    "paper": ("plateau", 5, [1500]),
}
LOAD_WARNING = 0.5  # a 1-minute load average above this at the start voids the timings
COLUMNS = [
    "implementation", "run", "schedule", "dataset", "n_train", "n_test", "n_channels",
    "n_timepoints", "n_classes", "n_networks", "epochs", "train_time_s", "s_per_epoch",
    "median_epoch_s", "accuracy", "paper_accuracy", "difference", "reached",
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("datasets", nargs="*", default=DEFAULT_DATASETS, metavar="DATA",
                        help="bundled name, name of a file in benchmarks/data, dataset "
                             "folder, .ts/.tsv or .npz file (default: %(default)s)")
    parser.add_argument("--recipe", choices=list(RECIPES), default="fast",
                        help="fast: one-cycle schedule over the budget grid; paper: plateau "
                             "schedule, 5 networks x 1500 epochs (default: %(default)s)")
    parser.add_argument("--n-estimators", type=int, default=None,
                        help="networks per ensemble (default: 2 fast, 5 paper)")
    parser.add_argument("--budgets", type=int, nargs="+", default=None, metavar="EPOCHS",
                        help="epochs per network (default: 25 50 100 200 300 fast, 1500 paper)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--n-filters", type=int, default=32,
                        help="smaller networks are for tests (default: the paper's, %(default)s)")
    parser.add_argument("--depth", type=int, default=6)
    parser.add_argument("--kernel-size", type=int, default=40)
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None,
                        help="torch (and TensorFlow) threads; default: the libraries' own")
    parser.add_argument("--epoch-timing", type=int, default=5, metavar="EPOCHS",
                        help="epochs of the one-network per-epoch timing, the first a "
                             "warm-up; 0 skips it (default: %(default)s)")
    parser.add_argument("--aeon", action="store_true",
                        help="also time aeon's InceptionTimeClassifier (TensorFlow), when "
                             "importable")
    parser.add_argument("--aeon-budgets", type=int, nargs="+", default=None, metavar="EPOCHS",
                        help="aeon's budgets, stopping at the first that reaches the paper "
                             "(default: --budgets)")
    parser.add_argument("--out", default="benchmarks/out/time_to_accuracy",
                        help="path prefix of the .csv and .md written (default: %(default)s)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    if args.epoch_timing == 1 or args.epoch_timing < 0:
        parser.error("--epoch-timing takes 0 or at least 2 epochs (the first is a warm-up)")
    if min(args.budgets or [1]) < 1 or min(args.aeon_budgets or [1]) < 1 or (
            args.n_estimators is not None and args.n_estimators < 1):
        parser.error("budgets and --n-estimators must be at least 1")
    schedule, n_estimators, budgets = RECIPES[args.recipe]
    args.schedule = schedule
    args.n_estimators = args.n_estimators or n_estimators
    args.budgets = sorted(set(args.budgets or budgets))
    args.aeon_budgets = sorted(set(args.aeon_budgets or args.budgets))
    return args


def resolve(data):
    """A name of a file in benchmarks/data (``ItalyPowerDemand``) becomes its path."""
    if not Path(data).exists():
        for path in sorted(DATA_FOLDER.glob("*.npz")):
            if path.stem.lower() == str(data).lower():
                return str(path)
    return data


class Dataset:
    """The train and test splits of one dataset, and the paper's accuracy on it."""

    def __init__(self, data):
        train = load_dataset(resolve(data), split="train")
        self.X_test, self.y_test = load_dataset(resolve(data), split="test", return_X_y=True)
        self.name, self.X_train, self.y_train = train.name, train.data, train.target
        if self.X_train.dtype == object:
            raise SystemExit(f"{self.name}: series of unequal length; aeon's InceptionTime "
                             "takes equal lengths only, so this benchmark does too")
        paper = published_result(self.name, n_channels=self.X_train.shape[1])
        self.paper_accuracy = paper.accuracy if paper else None

    def describe(self):
        return {
            "dataset": self.name, "n_train": len(self.y_train), "n_test": len(self.y_test),
            "n_channels": self.X_train.shape[1], "n_timepoints": self.X_train.shape[2],
            "n_classes": len(np.unique(self.y_train)),
        }

    def reached(self, accuracy):
        if self.paper_accuracy is None:
            return ""
        return bool(accuracy >= self.paper_accuracy - 1e-9)


def ours(n_networks, epochs, args):
    return InceptionTimeClassifier(
        n_estimators=n_networks, max_epochs=epochs, n_filters=args.n_filters,
        depth=args.depth, kernel_size=args.kernel_size, batch_size=args.batch_size,
        lr_schedule=args.schedule, device="cpu", random_state=args.random_state,
        verbose=0 if args.quiet else 1,
    )


def fit_ours(dataset, n_networks, epochs, args):
    """Fit and time ours; return (train time, median epoch, the fitted ensemble)."""
    classifier = ours(n_networks, epochs, args)
    start = time.perf_counter()
    classifier.fit(dataset.X_train, dataset.y_train)
    train_time = time.perf_counter() - start
    if getattr(classifier, "interrupted_", False):
        raise KeyboardInterrupt  # Ctrl-C: fit kept a part of the budget, which is no row
    # skorch's history times every epoch ("dur"); each network's first is a warm-up
    durations = [duration for member in classifier.estimators_
                 for duration in member.history_[:, "dur"][1:]]
    return train_time, _median(durations), classifier


class AeonRunner:
    """aeon's InceptionTimeClassifier (TensorFlow), imported only when it is needed."""

    def __init__(self, args):
        import tensorflow as tf
        from aeon.classification.deep_learning import InceptionTimeClassifier as Aeon

        # aeon's predict draws a Keras progress bar per call; its graphs are retraced for
        # every new network, which TensorFlow warns about each time
        tf.keras.utils.disable_interactive_logging()
        if args.quiet:
            tf.get_logger().setLevel("ERROR")
        if args.threads is not None:  # before TensorFlow runs its first operation
            tf.config.threading.set_intra_op_parallelism_threads(args.threads)
            tf.config.threading.set_inter_op_parallelism_threads(args.threads)
        import aeon

        self.tf, self.estimator_class, self.args = tf, Aeon, args
        self.versions = f"aeon {aeon.__version__}, TensorFlow {tf.__version__}"

        class EpochClock(tf.keras.callbacks.Callback):
            """Seconds of every epoch but each network's first (which traces the graph)."""

            def __init__(self):
                super().__init__()
                self.later_epochs = []

            def on_epoch_begin(self, epoch, logs=None):
                self.start = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                if epoch > 0:
                    self.later_epochs.append(time.perf_counter() - self.start)

        self.clock_class = EpochClock

    def fit(self, dataset, n_networks, epochs):
        """Fit and time aeon; return (train time, median epoch, the fitted ensemble)."""
        tf, args = self.tf, self.args
        clock = self.clock_class()
        with tempfile.TemporaryDirectory(prefix="aeon-inceptiontime-") as folder:
            classifier = self.estimator_class(
                n_classifiers=n_networks, n_epochs=epochs, batch_size=args.batch_size,
                n_filters=args.n_filters, depth=args.depth, kernel_size=args.kernel_size,
                random_state=args.random_state, file_path=folder + os.sep, verbose=False,
                # aeon's default callbacks (it adds its checkpoint of the lowest loss to
                # a list given) and the clock; aeon would drop the schedule otherwise
                callbacks=[
                    tf.keras.callbacks.ReduceLROnPlateau(
                        monitor="loss", factor=0.5, patience=50, min_lr=0.0001),
                    clock,
                ],
            )
            start = time.perf_counter()
            classifier.fit(dataset.X_train, dataset.y_train)
            train_time = time.perf_counter() - start
        return train_time, _median(clock.later_epochs), classifier

    def threads(self):
        threading = self.tf.config.threading
        return (f"TensorFlow intra-op {threading.get_intra_op_parallelism_threads()}, "
                f"inter-op {threading.get_inter_op_parallelism_threads()} (0: its default)")


def _median(values):
    """The median, or None for none (a network of one epoch has no epoch after its first)."""
    return float(np.median(values)) if len(values) else None


def make_row(implementation, run, schedule, dataset, n_networks, epochs, train_time,
             median_epoch, classifier=None):
    row = {
        "implementation": implementation, "run": run, "schedule": schedule,
        **dataset.describe(), "n_networks": n_networks, "epochs": epochs,
        "train_time_s": round(train_time, 3),
        "s_per_epoch": round(train_time / (n_networks * epochs), 4),
        "median_epoch_s": "" if median_epoch is None else round(median_epoch, 4),
        "accuracy": "", "paper_accuracy": dataset.paper_accuracy or "", "difference": "",
        "reached": "",
    }
    if classifier is not None:
        accuracy = accuracy_score(dataset.y_test, classifier.predict(dataset.X_test))
        row["accuracy"] = round(accuracy, 4)
        if dataset.paper_accuracy is not None:
            # + 0.0 turns a rounded -0.0 into 0.0, which prints without a minus sign
            row["difference"] = round(accuracy - dataset.paper_accuracy, 4) + 0.0
            row["reached"] = dataset.reached(accuracy)
    return row


def time_to_accuracy(rows):
    """Per (implementation, dataset): the smallest budget that reached the paper, and
    whether every larger budget run reached it too."""
    summary = {}
    for row in rows:
        if row["run"] == "budget":
            summary.setdefault((row["implementation"], row["dataset"]), []).append(row)
    results = []
    for (implementation, dataset), runs in summary.items():
        runs = sorted(runs, key=lambda row: row["epochs"])
        first = next((row for row in runs if row["reached"] is True), None)
        best = max(runs, key=lambda row: row["accuracy"])
        results.append({
            "implementation": implementation, "dataset": dataset, "first": first,
            "best": best, "runs": runs,
            "held": first is not None and all(
                row["reached"] for row in runs if row["epochs"] > first["epochs"]),
        })
    return results


def conditions():
    """The load average (as ``uptime`` prints it) and the matmul peak, now."""
    return {"load": os.getloadavg(), "peak": matmul_peak_gflops(),
            "time": datetime.datetime.now().astimezone()}


def describe_conditions(when, state):
    load = ", ".join(f"{value:.2f}" for value in state["load"])
    return (f"{when} {state['time']:%Y-%m-%d %H:%M:%S %Z}: load average {load} (1, 5, 15 "
            f"min), fp32 matmul peak {state['peak']:.0f} GFLOP/s")


def load_warning(state):
    if state["load"][0] > LOAD_WARNING:
        return (f"WARNING: the 1-minute load average was {state['load'][0]:.2f} (above "
                f"{LOAD_WARNING}) at the start: other work shares the CPU, so these timings "
                "are not valid; run again on a quiet machine.")
    return ""


def write_csv(rows, path):
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def _number(value, spec):
    return "n/a" if value == "" else format(value, spec)


def markdown(rows, args, run):
    recipe = ("short budgets (one-cycle schedule)" if args.recipe == "fast"
              else "the paper's recipe (plateau schedule)")
    lines = [
        f"Time to accuracy: {recipe}, {args.n_estimators} network(s) x "
        f"{', '.join(map(str, args.budgets))} epochs, batch_size={args.batch_size}, "
        f"n_filters={args.n_filters}, depth={args.depth}, kernel_size={args.kernel_size}, "
        f"random_state={args.random_state}. The paper: 5 networks x 1500 epochs.",
        "",
        f"Machine: {run['machine']}.",
    ]
    if run.get("aeon"):
        lines.append(f"aeon: {run['aeon']}.")
    lines += [
        "",
        f"Command: `{run['command']}`",
        "",
        f"- {describe_conditions('Start', run['start'])}",
    ]
    if run.get("end"):
        lines.append(f"- {describe_conditions('End', run['end'])}; "
                     f"total {run['total_s'] / 60:.1f} min")
    else:
        lines.append("- End: not reached (running, or stopped): the rows below are the "
                     "fits it completed")
    if load_warning(run["start"]):
        lines += ["", f"**{load_warning(run['start'])}**"]
    lines += [
        "",
        "| implementation | schedule | dataset | networks x epochs | train time (s) | s/epoch "
        "| median epoch (s) | accuracy | paper | difference | reached |",
        "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        if row["run"] != "budget":
            continue
        reached = {True: "yes", False: "no", "": "n/a"}[row["reached"]]
        lines.append(
            f"| {row['implementation']} | {row['schedule']} | {row['dataset']} "
            f"| {row['n_networks']} x {row['epochs']} | {row['train_time_s']:.1f} "
            f"| {row['s_per_epoch']:.3f} | {_number(row['median_epoch_s'], '.3f')} "
            f"| {row['accuracy']:.4f} | {_number(row['paper_accuracy'], '.4f')} "
            f"| {_number(row['difference'], '+.4f')} | {reached} |"
        )
    lines += ["", "Smallest budget that reaches the paper's accuracy:", ""]
    for result in time_to_accuracy(rows):
        lines.append(f"- {summary_line(result)}")
    lines += [
        "",
        "Train time: the wall-clock of `fit`; s/epoch: train time / (networks x epochs), all "
        "included; median epoch: the median epoch after each network's first (aeon: its "
        "checkpoint of the lowest loss, written to a file, included).",
    ]
    timings = [row for row in rows if row["run"] == "epoch timing"]
    if timings:
        lines += [
            "",
            f"Per-epoch timing: one network x {args.epoch_timing} epochs, median of the epochs "
            "after the first:",
            "",
            "| dataset | implementation | median epoch (s) | ratio to inceptionsk |",
            "| --- | --- | ---: | ---: |",
        ]
        ours_by_dataset = {row["dataset"]: row["median_epoch_s"] for row in timings
                           if row["implementation"] == "inceptionsk"}
        for row in sorted(timings, key=lambda row: row["dataset"]):
            ratio = row["median_epoch_s"] / ours_by_dataset[row["dataset"]]
            lines.append(f"| {row['dataset']} | {row['implementation']} "
                         f"| {row['median_epoch_s']:.3f} | {ratio:.2f}x |")
    if run.get("notes"):
        lines += [""] + run["notes"]
    return "\n".join(lines) + "\n"


def summary_line(result):
    first, best, name = result["first"], result["best"], result["implementation"]
    if best["paper_accuracy"] == "":
        return (f"{result['dataset']}, {name}: no published accuracy; best "
                f"{best['accuracy']:.4f} at {best['n_networks']} x {best['epochs']} epochs")
    if first is None:
        return (f"{result['dataset']}, {name}: not reached (paper "
                f"{_number(best['paper_accuracy'], '.4f')}; best {best['accuracy']:.4f} at "
                f"{best['n_networks']} x {best['epochs']} epochs, {best['train_time_s']:.0f} s)")
    larger = [row for row in result["runs"] if row["epochs"] > first["epochs"]]
    held = ("" if not larger else ", and every larger budget too" if result["held"]
            else ", but not every larger budget")
    return (f"{result['dataset']}, {name}: {first['n_networks']} x {first['epochs']} epochs, "
            f"{first['train_time_s']:.0f} s, accuracy {first['accuracy']:.4f} against "
            f"{first['paper_accuracy']:.4f}{held}")


def run_ours(datasets, args, record):
    for dataset in datasets:
        if args.epoch_timing:
            train_time, median_epoch, _ = fit_ours(dataset, 1, args.epoch_timing, args)
            record(make_row("inceptionsk", "epoch timing", args.schedule, dataset, 1,
                            args.epoch_timing, train_time, median_epoch))
        for epochs in args.budgets:
            train_time, median_epoch, classifier = fit_ours(
                dataset, args.n_estimators, epochs, args)
            record(make_row("inceptionsk", "budget", args.schedule, dataset,
                            args.n_estimators, epochs, train_time, median_epoch, classifier))


def run_aeon(datasets, args, record, run):
    try:
        runner = AeonRunner(args)
    except ImportError as error:
        note = (f"aeon was not timed: it is not importable ({error}); "
                "`pip install -e \".[benchmark]\"` installs it.")
        print(note, flush=True)
        run["notes"].append(note)
        return
    run["aeon"] = f"{runner.versions}, {runner.threads()}"
    for dataset in datasets:
        per_epoch = None
        if args.epoch_timing:
            train_time, per_epoch, _ = runner.fit(dataset, 1, args.epoch_timing)
            record(make_row("aeon", "epoch timing", "plateau", dataset, 1, args.epoch_timing,
                            train_time, per_epoch))
        for epochs in args.aeon_budgets:
            if per_epoch is not None:
                print(f"aeon, {dataset.name}, {args.n_estimators} x {epochs} epochs: about "
                      f"{per_epoch * args.n_estimators * epochs / 60:.1f} min", flush=True)
            train_time, median_epoch, classifier = runner.fit(
                dataset, args.n_estimators, epochs)
            row = make_row("aeon", "budget", "plateau", dataset, args.n_estimators, epochs,
                           train_time, median_epoch, classifier)
            record(row)
            if row["reached"] is True:
                break


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    run = {
        "command": " ".join(["python", "benchmarks/time_to_accuracy.py",
                             *map(shlex.quote, argv)]),
        "machine": machine_description(), "start": conditions(), "notes": [],
    }
    print(f"{run['machine']}\n{describe_conditions('Start', run['start'])}", flush=True)
    if load_warning(run["start"]):
        banner = "!" * 88
        print(f"{banner}\n{load_warning(run['start'])}\n{banner}", file=sys.stderr, flush=True)
    datasets = [Dataset(data) for data in args.datasets]
    rows, started = [], time.perf_counter()

    def record(row):
        rows.append(row)
        write_csv(rows, Path(f"{out}.csv"))
        Path(f"{out}.md").write_text(markdown(rows, args, run), encoding="utf-8")
        accuracy = "" if row["accuracy"] == "" else (
            f", accuracy {row['accuracy']:.4f} (paper "
            f"{_number(row['paper_accuracy'], '.4f')})")
        print(f"{row['implementation']}, {row['dataset']}, {row['run']} {row['n_networks']} x "
              f"{row['epochs']} epochs: {row['train_time_s']:.1f} s, "
              f"{_number(row['median_epoch_s'], '.3f')} s/epoch{accuracy}", flush=True)

    try:
        run_ours(datasets, args, record)
        if args.aeon:
            run_aeon(datasets, args, record, run)
    except KeyboardInterrupt:
        print(f"Stopped: the {len(rows)} fit(s) completed are in {out}.csv and {out}.md.",
              file=sys.stderr, flush=True)
        raise SystemExit(130) from None
    run["end"], run["total_s"] = conditions(), time.perf_counter() - started
    report = markdown(rows, args, run)
    Path(f"{out}.md").write_text(report, encoding="utf-8")
    print(report)
    return rows


if __name__ == "__main__":
    main()
