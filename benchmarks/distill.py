"""Distillation: one network trained on an InceptionTime ensemble's outputs, per dataset.

For each dataset, on its TRAIN split: fits the teacher (``InceptionTimeClassifier`` of
``--n-estimators`` networks), distils it into one InceptionTime network
(``inceptionsk.distill``, the teacher's recipe) and into one LITE network, and trains one
InceptionTime network alone with the same recipe and seed as the distilled one. On the
TEST split it records each model's accuracy and the time of ``predict_proba`` on
``--speed-cases`` cases (the test set repeated), and each model's parameter count. Once
per run it also times ``predict_proba`` of the same four models on
``--speed-shape`` random series (default 1000x1x500, the issue's case: untrained
weights score at the speed of trained ones), as the row ``random <shape>``.

Resumable: one CSV row is appended to ``--out`` as each dataset finishes; a rerun with
the same ``--out`` skips the datasets (and the speed row) already there. The summary of
every row in the file is printed at the end: the mean accuracies, the mean differences
(distilled - teacher, distilled - alone) and the mean speed-ups.

Timings on a loaded machine are not valid: each row records the 1-minute load average
at its start; run on a quiet machine (or a GPU with ``--device cuda``).

Run from the repository root with the package installed (or ``PYTHONPATH=.``)::

    # the paper's recipe (5 networks x 1500 epochs) on ten UCR sets, resumable
    nice -n 10 python benchmarks/distill.py \\
        ARCHIVES/UCR/{Beef,BirdChicken,DistalPhalanxOutlineCorrect,Herring,\\
    Lightning2,Meat,OliveOil,PowerCons,Strawberry,ToeSegmentation2} \\
        --scale --threads 2 --out benchmarks/results/distill_paper.csv

    # the scoring speed alone, on a quiet machine (load and matmul peak printed)
    python benchmarks/distill.py --speed-only --threads 2 --speed-repeats 5 \\
        --out benchmarks/results/distill_speed_quiet.csv

    # 2 networks x 300 one-cycle epochs (the fast recipe's budget above 64 cases until
    # it became one network of the paper's recipe)
    python benchmarks/distill.py ARCHIVES/UCR/GunPoint --n-estimators 2 \\
        --max-epochs 300 --lr-schedule one_cycle --out benchmarks/results/distill_fast.csv

DATA are dataset folders of the UCR/UEA archives, bundled names (GunPoint, BasicMotions)
or ``.npz`` files (see ``inceptionsk.datasets.load_dataset``); equal-length series only.
``--scale`` z-normalises every series first (``SeriesStandardScaler``; several UCR sets
keep their raw scale), for every model alike.
"""

import argparse
import os
import time

import numpy as np
import torch
from machine import load_average, matmul_peak_gflops
from resumable import announce, append_row, read_rows
from sklearn.base import clone

from inceptionsk import (
    InceptionTimeClassifier,
    LITENetworkClassifier,
    SeriesStandardScaler,
    distill,
)
from inceptionsk.datasets import load_dataset

COLUMNS = [
    "dataset", "n_train", "n_test", "n_channels", "n_timepoints", "n_classes",
    "teacher_accuracy", "student_accuracy", "lite_accuracy", "alone_accuracy",
    "student_minus_teacher", "student_minus_alone", "lite_minus_teacher",
    "teacher_fit_s", "student_fit_s", "lite_fit_s", "alone_fit_s",
    "speed_cases", "teacher_predict_s", "student_predict_s", "lite_predict_s",
    "alone_predict_s", "student_speedup", "lite_speedup",
    "teacher_parameters", "student_parameters", "lite_parameters",
    "n_estimators", "max_epochs", "lr_schedule", "precision", "temperature", "alpha", "scale",
    "device", "threads", "load_at_start",
]
MODELS = ("teacher", "student", "lite", "alone")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("data", nargs="*", help="dataset folders, bundled names or .npz files")
    parser.add_argument("--out", required=True, help="the CSV file, appended to (resumable)")
    parser.add_argument("--n-estimators", type=int, default=5)
    parser.add_argument("--max-epochs", type=int, default=1500)
    parser.add_argument("--lr-schedule", choices=["plateau", "one_cycle"], default="plateau")
    parser.add_argument("--lr", type=float, default=0.001)
    parser.add_argument("--precision", choices=["float32", "bfloat16"], default="float32")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--n-filters", type=int, default=32)
    parser.add_argument("--depth", type=int, default=6)
    parser.add_argument("--kernel-size", type=int, default=40)
    parser.add_argument("--lite-filters", type=int, default=32,
                        help="n_filters of the LITE student (default: %(default)s)")
    parser.add_argument("--temperature", type=float, default=4.0)
    parser.add_argument("--alpha", type=float, default=0.5)
    parser.add_argument("--scale", action="store_true",
                        help="z-normalise every series first (SeriesStandardScaler)")
    parser.add_argument("--speed-cases", type=int, default=1000,
                        help="cases scored per timing: the test set repeated")
    parser.add_argument("--speed-shape", type=int, nargs=3, default=[1000, 1, 500],
                        metavar=("CASES", "CHANNELS", "TIMEPOINTS"))
    parser.add_argument("--speed-repeats", type=int, default=3,
                        help="timings of predict_proba per model; the fastest counts")
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.add_argument("--speed-only", action="store_true",
                        help="time the scoring on --speed-shape only (for a quiet machine: "
                        "prints the load and the matmul peak before and after)")
    args = parser.parse_args(argv)
    if not args.data and not args.speed_only:
        parser.error("give the datasets, or --speed-only")
    return args


def recipe(args):
    """The parameters every InceptionTime model of the run shares."""
    return dict(max_epochs=args.max_epochs, lr_schedule=args.lr_schedule, lr=args.lr,
                precision=args.precision, batch_size=args.batch_size,
                n_filters=args.n_filters, depth=args.depth,
                kernel_size=args.kernel_size, device=args.device,
                random_state=args.random_state)


def models(args):
    """The unfitted teacher, LITE student and (alone) network of the run."""
    teacher = InceptionTimeClassifier(n_estimators=args.n_estimators, **recipe(args))
    lite = LITENetworkClassifier(
        n_filters=args.lite_filters, kernel_size=args.kernel_size, **{
            k: v for k, v in recipe(args).items() if k not in ("n_filters", "depth", "kernel_size")
        })
    return teacher, lite


def timed(function, *arguments, **keywords):
    start = time.perf_counter()
    result = function(*arguments, **keywords)
    return result, time.perf_counter() - start


def predict_seconds(model, X, repeats):
    """The fastest of ``repeats`` timings of ``predict_proba(X)`` (after one warm-up)."""
    model.predict_proba(X[:1])
    best = float("inf")
    for _ in range(repeats):
        if str(model.device).startswith("cuda"):
            torch.cuda.synchronize()
        _, seconds = timed(model.predict_proba, X)
        best = min(best, seconds)
    return best


def n_parameters(model):
    members = getattr(model, "estimators_", [model])
    return sum(p.numel() for m in members for p in m.module_.parameters())


def train_all(X, y, args):
    """The four fitted models and their training times, in the order of MODELS."""
    teacher, lite = models(args)
    teacher, teacher_s = timed(teacher.fit, X, y)
    student, student_s = timed(distill, teacher, X, y, temperature=args.temperature,
                               alpha=args.alpha)
    lite, lite_s = timed(distill, teacher, X, y, lite, temperature=args.temperature,
                         alpha=args.alpha)
    alone, alone_s = timed(clone(student).fit, X, y)  # the student's network and seed
    return [teacher, student, lite, alone], [teacher_s, student_s, lite_s, alone_s]


def speed_columns(fitted, X, args):
    seconds = [predict_seconds(model, X, args.speed_repeats) for model in fitted]
    row = {f"{name}_predict_s": f"{s:.6f}" for name, s in zip(MODELS, seconds, strict=True)}
    row["student_speedup"] = f"{seconds[0] / seconds[1]:.2f}"
    row["lite_speedup"] = f"{seconds[0] / seconds[2]:.2f}"
    row["speed_cases"] = len(X)
    row.update({f"{name}_parameters": n_parameters(model)
                for name, model in zip(MODELS[:3], fitted, strict=False)})
    return row


def settings_columns(args):
    return {"n_estimators": args.n_estimators, "max_epochs": args.max_epochs,
            "lr_schedule": args.lr_schedule, "precision": args.precision,
            "temperature": args.temperature,
            "alpha": args.alpha, "scale": args.scale, "device": args.device,
            "threads": torch.get_num_threads(), "load_at_start": f"{os.getloadavg()[0]:.2f}"}


def dataset_row(data, args):
    settings = settings_columns(args)
    X, y = load_dataset(data, split="train", return_X_y=True)
    X_test, y_test = load_dataset(data, split="test", return_X_y=True)
    if X.dtype == object:
        raise SystemExit(f"{data}: series of unequal length; this benchmark takes equal "
                         "lengths only")
    if args.scale:
        X, X_test = (SeriesStandardScaler().fit_transform(part) for part in (X, X_test))
    fitted, fit_seconds = train_all(X, y, args)
    accuracy = [model.score(X_test, y_test) for model in fitted]
    row = {
        "dataset": load_dataset(data, split="train").name, "n_train": len(X),
        "n_test": len(X_test), "n_channels": X.shape[1], "n_timepoints": X.shape[2],
        "n_classes": len(np.unique(y)),
        **{f"{name}_accuracy": f"{a:.4f}" for name, a in zip(MODELS, accuracy, strict=True)},
        "student_minus_teacher": f"{accuracy[1] - accuracy[0]:.4f}",
        "student_minus_alone": f"{accuracy[1] - accuracy[3]:.4f}",
        "lite_minus_teacher": f"{accuracy[2] - accuracy[0]:.4f}",
        **{f"{name}_fit_s": f"{s:.1f}" for name, s in zip(MODELS, fit_seconds, strict=True)},
        **settings,
    }
    repeats = -(-args.speed_cases // len(X_test))
    row.update(speed_columns(fitted, np.concatenate([X_test] * repeats)[:args.speed_cases],
                             args))
    return row


def speed_row(args):
    """Scoring speed on random series of ``--speed-shape``, after one epoch of training
    on a few of them (the weights do not change the cost)."""
    settings = settings_columns(args)
    n, c, length = args.speed_shape
    rng = np.random.RandomState(args.random_state)
    X = rng.normal(size=(n, c, length)).astype(np.float32)
    y = np.arange(16) % 2
    quick = argparse.Namespace(**{**vars(args), "max_epochs": 1})
    fitted, _ = train_all(X[:16], y, quick)
    return {"dataset": f"random {n}x{c}x{length}", "n_test": n, "n_channels": c,
            "n_timepoints": length, **settings, "max_epochs": "",
            **speed_columns(fitted, X, args)}


def done_datasets(path):
    """The datasets (and speed rows) already in the CSV."""
    return {row["dataset"] for row in read_rows(path)}


def summary(path):
    """Lines on every dataset row of the file: mean accuracies, differences, speed-ups."""
    rows = read_rows(path)
    data = [row for row in rows if row["teacher_accuracy"]]
    lines = []
    if data:
        def mean(key):
            return np.mean([float(row[key]) for row in data])
        lines.append(
            f"{len(data)} datasets: mean accuracy teacher {mean('teacher_accuracy'):.4f}, "
            f"distilled InceptionTime {mean('student_accuracy'):.4f}, distilled LITE "
            f"{mean('lite_accuracy'):.4f}, network alone {mean('alone_accuracy'):.4f}")
        lines.append(
            f"distilled - teacher {mean('student_minus_teacher'):+.4f} (target >= -0.01), "
            f"distilled - alone {mean('student_minus_alone'):+.4f} (target > 0), "
            f"LITE - teacher {mean('lite_minus_teacher'):+.4f}")
    for row in rows:
        lines.append(
            f"{row['dataset']}: predict_proba on {row['speed_cases']} cases: teacher "
            f"{row['teacher_predict_s']} s, distilled {row['student_predict_s']} s "
            f"({row['student_speedup']}x), LITE {row['lite_predict_s']} s "
            f"({row['lite_speedup']}x); parameters {row['teacher_parameters']} / "
            f"{row['student_parameters']} / {row['lite_parameters']}")
    return lines


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    if not args.quiet:
        announce("distill.py", argv)
    done = done_datasets(args.out)
    n, c, length = args.speed_shape
    if args.speed_only:
        print(f"load {load_average():.2f}, matmul peak {matmul_peak_gflops():.0f} GFLOP/s")
    if f"random {n}x{c}x{length}" not in done:
        append_row(args.out, speed_row(args), COLUMNS)
    if args.speed_only:
        print(f"load {load_average():.2f}, matmul peak {matmul_peak_gflops():.0f} GFLOP/s")
    for data in args.data:
        name = load_dataset(data, split="train").name
        if name in done:
            if not args.quiet:
                print(f"{name}: done before, skipped")
            continue
        row = dataset_row(data, args)
        append_row(args.out, row, COLUMNS)
        if not args.quiet:
            print(f"{name}: teacher {row['teacher_accuracy']}, distilled "
                  f"{row['student_accuracy']}, LITE {row['lite_accuracy']}, alone "
                  f"{row['alone_accuracy']}", flush=True)
    for line in summary(args.out):
        print(line)


if __name__ == "__main__":
    main()
