"""The ``inceptionsk`` command line: fit, predict, evaluate, cross-validate, export, a demo,
and a benchmark over archive folders.

Results go to stdout; progress bars, notes and errors to stderr. Exit codes:

- 0: success;
- 2: a usage error or bad input (unknown option, missing or malformed data file,
  unreadable model file, data that does not fit the model);
- 1: any other failure (an error while training, say);
- 130: interrupted with Ctrl-C.

An error is reported as one line, ``inceptionsk: error: ...``, without a traceback.
"""

import argparse
import csv
import os
import sys
import time

import numpy as np
import torch
from sklearn.base import clone
from sklearn.metrics import accuracy_score, balanced_accuracy_score, confusion_matrix
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline

from ._models import MODELS
from ._version import __version__
from .datasets import load_dataset, published_accuracy, published_result, trim_trailing_nan
from .exceptions import TrainingDivergedError
from .export import export_onnx
from .persistence import load, save
from .preprocessing import SeriesStandardScaler

__all__ = ["main"]

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

#: The demo's budget, against the paper's 5 networks x 1500 epochs, with the one-cycle
#: schedule, which learns more than the paper's plateau schedule in so few epochs; its
#: time and accuracy are in benchmarks/RESULTS.md ("The demo").
DEMO_SETTINGS = {"n_estimators": 2, "max_epochs": 60, "lr_schedule": "one_cycle"}

RECIPE_HELP = ("paper: 5 networks x 1500 epochs, plateau schedule; fast: 1/5 of its compute, "
               "one network of it for a classifier, 5 x 300 one-cycle epochs for a regressor")


def model_choice(estimator):
    """The name in :data:`MODELS` of a fitted ensemble (or a Pipeline ending in one): the
    choice of its class whose parameters it has, the most specific one; None if none."""
    final = estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator
    matches = [
        name for name, choice in MODELS.items()
        if type(final) is choice.estimator
        and all(getattr(final, key) == value for key, value in choice.params.items())
    ]
    return max(matches, key=lambda name: len(MODELS[name].params), default=None)


class InputError(Exception):
    """Bad input found by the command line itself; exits with code 2."""


def save_model(model, path):
    """Write a fitted model to ``path`` with :func:`inceptionsk.save` (no pickle)."""
    save(model, path)


def load_model(path):
    """Read a model written by :func:`save_model`; raise InputError when it cannot."""
    try:
        # "auto": score on the GPU when there is one, whatever device trained the model
        return load(path, device="auto")
    except FileNotFoundError:
        raise InputError(f"no model file {path}") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder, not a model file") from None


def _note(args, message):
    """A progress note on stderr, unless --quiet."""
    if not args.quiet:
        print(message, file=sys.stderr, flush=True)


def _load_data(args, split):
    """``load_dataset`` of DATA, with the NaN padding of unequal lengths trimmed if asked."""
    data = load_dataset(args.data, split=split, allow_pickle=args.allow_pickle)
    if args.trim_trailing_nan and data.data.dtype != object:
        data.data = trim_trailing_nan(data.data)
    return data


def _load(args, split):
    data = _load_data(args, split)
    if data.target is None:
        raise InputError(f"{data.source} has no labels; fit, evaluate and cv need them")
    _note(args, f"Loaded {data.name} ({split or 'train and test'} split): "
                f"{_describe(data.data)} from {data.source}")
    return data


def _describe(X):
    if X.dtype == object:
        lengths = [case.shape[-1] for case in X]
        return (f"{len(X)} series of {X[0].shape[0]} channel(s), unequal length "
                f"{min(lengths)}-{max(lengths)}")
    return f"{X.shape[0]} series of {X.shape[1]} channel(s) x {X.shape[2]} points"


def _make_model(args):
    choice = MODELS[args.model]
    params = dict(
        recipe=args.recipe, n_estimators=args.n_estimators, max_epochs=args.max_epochs,
        n_filters=args.n_filters,
        depth=args.depth, batch_size=args.batch_size, lr_schedule=args.lr_schedule,
        class_weight=args.class_weight, validation_fraction=args.validation_fraction,
        n_iter_no_change=args.n_iter_no_change, device=args.device,
        precision=args.precision, random_state=args.random_state,
        verbose=0 if args.quiet else 1, **choice.params,
    )
    accepted = choice.estimator._get_param_names()  # LITE has no depth
    classifier = choice.estimator(**{key: value for key, value in params.items()
                                     if key in accepted})
    return make_pipeline(SeriesStandardScaler(), classifier) if args.scale else classifier


def _fit(model, data, args):
    start = time.perf_counter()
    model.fit(data.data, data.target)
    _note(args, f"Trained in {time.perf_counter() - start:.1f} s")
    return model


def _print_scores(y_true, y_pred, name, n_channels, published="InceptionTime"):
    labels = np.unique(np.concatenate([np.asarray(y_true), np.asarray(y_pred)]))
    print(f"accuracy           {accuracy_score(y_true, y_pred):.4f}")
    print(f"balanced accuracy  {balanced_accuracy_score(y_true, y_pred):.4f}")
    paper = published_result(name, model=published, n_channels=n_channels)
    if paper is None:
        print(f"published {published} accuracy: unknown for {name}")
    else:
        print(f"published {published} accuracy ({paper.archive}, 5 networks x 1500 "
              f"epochs): {paper.accuracy:.4f}")
    matrix = confusion_matrix(y_true, y_pred, labels=labels)
    width = max(max(len(str(label)) for label in labels), len(str(matrix.max())), 4)
    print("confusion matrix (rows: true, columns: predicted):")
    print(" " * width + "".join(f"  {label!s:>{width}}" for label in labels))
    for label, row in zip(labels, matrix, strict=True):
        print(f"{label!s:>{width}}" + "".join(f"  {count:>{width}}" for count in row))


def _n_channels(X):
    return X[0].shape[0] if X.dtype == object else X.shape[1]


def cmd_fit(args):
    data = _load(args, "train")
    model = _fit(_make_model(args), data, args)
    save_model(model, args.output)
    _note(args, f"Saved the model to {args.output}")


def cmd_predict(args):
    model = load_model(args.model)
    data = _load_data(args, "test")
    _note(args, f"Loaded {data.name} (test split): {_describe(data.data)}")
    proba = model.predict_proba(data.data)
    classes = model.classes_
    predicted = classes[np.argmax(proba, axis=1)]
    out = sys.stdout if args.output == "-" else open(args.output, "w", newline="",
                                                      encoding="utf-8")
    try:
        writer = csv.writer(out)
        writer.writerow(["case", "predicted", *(f"proba_{label}" for label in classes)])
        for index, (label, row) in enumerate(zip(predicted, proba, strict=True)):
            writer.writerow([index, label, *(f"{p:.6g}" for p in row)])
    finally:
        if out is not sys.stdout:
            out.close()
    if args.output != "-":
        _note(args, f"Wrote {len(predicted)} predictions to {args.output}")


def cmd_evaluate(args):
    model = load_model(args.model)
    data = _load(args, "test")
    y_pred = model.predict(data.data)
    print(f"{data.name}, test split ({len(data.target)} cases)")
    choice = MODELS.get(model_choice(model), MODELS["inceptiontime"])
    _print_scores(data.target, y_pred, data.name, _n_channels(data.data), choice.published)


def cmd_cv(args):
    data = _load(args, args.split)
    model = _make_model(args)
    folds = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=args.random_state)
    scores = []
    for fold, (train, test) in enumerate(folds.split(np.zeros(len(data.target)), data.target)):
        fitted = clone(model).fit(data.data[train], data.target[train])
        scores.append(accuracy_score(data.target[test], fitted.predict(data.data[test])))
        print(f"fold {fold + 1}/{args.folds}: accuracy {scores[-1]:.4f}", flush=True)
    print(f"mean accuracy {np.mean(scores):.4f} (std {np.std(scores):.4f}) over "
          f"{args.folds} folds of the {args.split or 'whole'} data of {data.name}")


def cmd_export(args):
    model = load_model(args.model)
    export_onnx(model, args.output)
    final = model.steps[-1][1] if hasattr(model, "steps") else model
    outputs = "label, probabilities" if hasattr(final, "classes_") else "predictions"
    _note(args, f"Wrote {args.output}: input 'series' float32 (batch, {final.n_channels_in_}, "
                f"{final.n_timepoints_in_}); outputs {outputs}")


def cmd_demo(args):
    args.data = "GunPoint"
    published = MODELS[args.model].published
    print(
        f"Demo: {published if args.model != 'litemv' else 'LITEMV'} on bundled GunPoint "
        f"with {args.n_estimators} network(s) x "
        f"{args.max_epochs} epochs, {args.lr_schedule} schedule, batch size "
        f"{args.batch_size}, {torch.get_num_threads()} torch thread(s). The paper's recipe "
        "is 5 networks x 1500 epochs (plateau schedule); this shorter budget fits a demo.",
        flush=True,
    )
    train = _load(args, "train")
    model = _fit(_make_model(args), train, args)
    test = _load(args, "test")
    accuracy = accuracy_score(test.target, model.predict(test.data))
    print(f"GunPoint test accuracy: {accuracy:.4f} (paper: "
          f"{published_accuracy('GunPoint', model=published):.4f} with the full recipe)")


def _print_row(row):
    """One dataset's result as a line on stdout, above the progress bar on stderr."""
    from tqdm.auto import tqdm

    if row.get("error"):
        tqdm.write(f"{row['dataset']}: error: {row['error']}", file=sys.stdout)
        return
    line = f"{row['dataset']}: {row['metric']} {row['score']:.4g}"
    if row.get("published") is not None:
        line += f" (published {row['published']:.4g}, difference {row['difference']:+.4g})"
    if row.get("within_single_runs") is not None:
        line += (", within the paper's single runs" if row["within_single_runs"]
                 else ", below the paper's single runs")
    # a dataset continued from its checkpoints has no time: it trained in several runs
    took = ("continued from its checkpoints" if row.get("seconds") is None
            else f"trained in {row['seconds']:.0f} s")
    tqdm.write(f"{line}; {row['n_estimators']} x {row['max_epochs']} epochs, {took}, "
               f"scale {row['scale']}", file=sys.stdout)
    sys.stdout.flush()


def cmd_benchmark(args):
    from .benchmark import run_benchmark

    result = run_benchmark(
        args.archive_dir, datasets=args.datasets, model=args.model, recipe=args.recipe,
        precision=args.precision, n_estimators=args.n_estimators,
        max_epochs=args.max_epochs, scale=args.scale, random_state=args.random_state,
        out=args.out, plot=args.plot, progress=not args.quiet, verbose=args.verbose,
        params={"device": args.device, "lr_schedule": args.lr_schedule}, on_result=_print_row,
    )
    for line in result.summary_lines():
        print(line)
    if args.out is not None:
        _note(args, f"Results in {args.out}, the table in "
                    f"{os.path.splitext(args.out)[0]}.md")
    if args.plot is not None:
        _note(args, f"Plot in {args.plot}")
    # a failed dataset is reported in its row; the exit code tells a script about it
    return EXIT_FAILURE if result.summary()["errors"] else EXIT_OK


def _add_model_options(parser, defaults):
    group = parser.add_argument_group("model")
    recipes = "the recipe's"
    group.add_argument("--model", choices=list(MODELS), default="inceptiontime",
                       help="inceptiontime: the paper's; h-inceptiontime: with hand-crafted "
                            "filters; litetime: the light network (2.5%% of the parameters); "
                            "litemv: LITE for multivariate series (default: %(default)s)")
    group.add_argument("--recipe", choices=["paper", "fast"], default="paper",
                       help=f"{RECIPE_HELP}; the options below override it "
                            "(default: %(default)s)")
    group.add_argument("--n-estimators", type=_positive_int, default=defaults["n_estimators"],
                       metavar="K", help="networks in the ensemble (default: "
                                         f"{defaults['n_estimators'] or recipes})")
    group.add_argument("--max-epochs", type=_positive_int, default=defaults["max_epochs"],
                       metavar="N", help="training epochs per network (default: "
                                         f"{defaults['max_epochs'] or recipes})")
    group.add_argument("--n-filters", type=_positive_int, default=32, metavar="F",
                       help="filters per convolution branch (default: %(default)s)")
    group.add_argument("--depth", type=_positive_int, default=6, metavar="D",
                       help="Inception modules per network, InceptionTime's models only "
                            "(default: %(default)s)")
    group.add_argument("--batch-size", type=_positive_int, default=64, metavar="B",
                       help="mini-batch size (default: %(default)s)")
    group.add_argument("--lr-schedule", choices=["plateau", "one_cycle"],
                       default=defaults["lr_schedule"],
                       help="plateau: the paper's (halve after 50 epochs without progress); "
                            "one_cycle: up to 10 x the rate and down to nearly zero, for "
                            "budgets of far fewer epochs (default: "
                            f"{defaults['lr_schedule'] or recipes})")
    group.add_argument("--class-weight", choices=["balanced"], default=None,
                       help="balanced: weigh each class inversely to its frequency in the "
                            "loss (default: every case alike)")
    group.add_argument("--validation-fraction", type=_fraction, default=None, metavar="F",
                       help="hold out this fraction of the training cases (stratified) and "
                            "keep the weights of the lowest validation loss (default: none, "
                            "the paper's recipe)")
    group.add_argument("--n-iter-no-change", type=_positive_int, default=None, metavar="N",
                       help="stop a network's training after N epochs without a lower "
                            "validation loss (training loss without --validation-fraction)")
    group.add_argument("--random-state", type=int, default=0, metavar="S",
                       help="seed of the networks and folds (default: %(default)s)")
    group.add_argument("--device", default="auto", metavar="DEVICE",
                       help="torch device: auto, cpu, cuda, cuda:N (default: %(default)s)")
    group.add_argument("--precision", choices=["float32", "bfloat16"], default="float32",
                       help="the arithmetic of training: bfloat16 is mixed precision, "
                            "faster on CPUs with AMX or AVX-512 BF16 (default: %(default)s)")
    group.add_argument("--scale", action="store_true",
                       help="z-normalise each series before the network (SeriesStandardScaler)")


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _fraction(text):
    value = float(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be a fraction between 0 and 1, got {text}")
    return value


def build_parser():
    """The argument parser of the ``inceptionsk`` command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--quiet", "-q", action="store_true",
                        help="no progress bars or notes, only the results")
    common.add_argument("--threads", type=_positive_int, metavar="T",
                        help="torch threads (default: torch's choice)")
    common.add_argument("--allow-pickle", action="store_true",
                        help="let an .npz DATA file hold object arrays (only files you trust)")
    common.add_argument("--trim-trailing-nan", action="store_true",
                        help="drop the NaN that pad the ends of series: the UCR archive's "
                             "layout of series of unequal length")
    data_help = ("a bundled dataset name (GunPoint, BasicMotions), a UCR/UEA dataset folder, "
                 "a .ts/.tsv file of a NAME_TRAIN/NAME_TEST pair, or an .npz file")
    paper = {"n_estimators": None, "max_epochs": None, "lr_schedule": None}

    parser = argparse.ArgumentParser(
        prog="inceptionsk",
        description="InceptionTime time-series classification from the command line. "
                    "Without a command, runs the demo.",
        epilog="Exit codes: 0 success, 2 usage error or bad input, 1 other failure.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    fit = commands.add_parser(
        "fit", parents=[common], help="train on the TRAIN split and save the model",
        description="Train an InceptionTime ensemble on the TRAIN split of DATA and save it. "
                    "The defaults are the paper's recipe (5 networks x 1500 epochs): hours "
                    "on a CPU.",
    )
    fit.add_argument("data", metavar="DATA", help=data_help)
    fit.add_argument("--output", "-o", required=True, metavar="MODEL",
                     help="file to write the fitted model to (inceptionsk.save's format; "
                          "inceptionsk.load reads it in Python)")
    _add_model_options(fit, paper)
    fit.set_defaults(handler=cmd_fit)

    predict = commands.add_parser(
        "predict", parents=[common], help="predict the TEST split into a CSV file",
        description="Predict the TEST split of DATA with a saved model; write a CSV with the "
                    "predicted label and the class probabilities of each case.",
    )
    predict.add_argument("model", metavar="MODEL",
                         help="model file written by fit")
    predict.add_argument("data", metavar="DATA", help=data_help)
    predict.add_argument("--output", "-o", default="-", metavar="CSV",
                         help="CSV file to write; - for stdout (default)")
    predict.set_defaults(handler=cmd_predict)

    evaluate = commands.add_parser(
        "evaluate", parents=[common], help="score a saved model on the TEST split",
        description="Accuracy, balanced accuracy and confusion matrix of a saved model on "
                    "the TEST split of DATA, beside InceptionTime's published accuracy.",
    )
    evaluate.add_argument("model", metavar="MODEL",
                          help="model file written by fit")
    evaluate.add_argument("data", metavar="DATA", help=data_help)
    evaluate.set_defaults(handler=cmd_evaluate)

    cv = commands.add_parser(
        "cv", parents=[common], help="stratified K-fold cross-validation",
        description="Stratified K-fold cross-validated accuracy on DATA (its TRAIN split by "
                    "default).",
    )
    cv.add_argument("data", metavar="DATA", help=data_help)
    cv.add_argument("--folds", type=_positive_int, default=5, metavar="K",
                    help="number of folds (default: %(default)s)")
    cv.add_argument("--split", choices=["train", "test", "all"], default="train",
                    help="the data to split into folds (default: %(default)s)")
    _add_model_options(cv, paper)
    cv.set_defaults(handler=cmd_cv)

    export = commands.add_parser(
        "export", parents=[common], help="write a saved model as an ONNX graph",
        description="Write a model saved by fit as one ONNX graph (all networks, their "
                    "probabilities averaged), to be scored by ONNX Runtime without Python. "
                    "Input 'series': float32 (batch, n_channels, n_timepoints); outputs "
                    "'label' and 'probabilities'. Needs the onnx extra: "
                    'pip install "inceptionsk[onnx]".',
    )
    export.add_argument("model", metavar="MODEL", help="model file written by fit")
    export.add_argument("output", metavar="OUTPUT", help="the .onnx file to write")
    export.set_defaults(handler=cmd_export)

    demo = commands.add_parser(
        "demo", parents=[common], help="fit and score on bundled GunPoint (the default)",
        description="Fit on bundled GunPoint's TRAIN split and print the TEST accuracy beside "
                    f"the paper's. Defaults: {DEMO_SETTINGS['n_estimators']} networks x "
                    f"{DEMO_SETTINGS['max_epochs']} epochs with the one-cycle "
                    "schedule, on torch's threads (--threads): minutes on a CPU.",
    )
    _add_model_options(demo, DEMO_SETTINGS)
    demo.set_defaults(handler=cmd_demo)

    benchmark = commands.add_parser(
        "benchmark", help="run a model and recipe over archive datasets, beside the papers",
        description="Train and score a model on every dataset folder under ARCHIVE_DIR "
                    "(UCR .tsv or UEA/TSER .ts layout, in any mix): accuracy for labels, "
                    "RMSE for numeric targets, beside the published results. One line per "
                    "dataset on stdout, then the summary (mean difference, wins/ties/"
                    "losses, Wilcoxon signed-rank p-value); a progress bar on stderr. "
                    "Exits with 1 when a dataset failed (its row holds the error).",
    )
    benchmark.add_argument("archive_dir", metavar="ARCHIVE_DIR",
                           help="an archive folder of dataset folders, a folder of several "
                                "archives, or one dataset folder")
    benchmark.add_argument("--datasets", metavar="A,B",
                           help="only these datasets, comma separated (default: all)")
    benchmark.add_argument("--model", choices=list(MODELS), default="inceptiontime",
                           help="the model of the family, as fit's --model "
                                "(default: %(default)s)")
    benchmark.add_argument("--recipe", choices=["paper", "fast"], default="paper",
                           help=f"{RECIPE_HELP} (default: %(default)s)")
    benchmark.add_argument("--precision", choices=["float32", "bfloat16"], default="float32",
                           help="the arithmetic of training (default: %(default)s)")
    benchmark.add_argument("--n-estimators", type=_positive_int, metavar="K",
                           help="networks per ensemble (default: the recipe's)")
    benchmark.add_argument("--max-epochs", type=_positive_int, metavar="N",
                           help="epochs per network (default: the recipe's)")
    benchmark.add_argument("--lr-schedule", choices=["plateau", "one_cycle"],
                           help="the learning-rate schedule, as fit's --lr-schedule "
                                "(default: the recipe's)")
    benchmark.add_argument("--scale", choices=["auto", "series", "none"], default="auto",
                           help="series: z-normalise every series; none: as stored; auto: "
                                "as the paper's code did, series on UCR, none on UEA and "
                                "TSER (default: %(default)s)")
    benchmark.add_argument("--random-state", type=int, default=0, metavar="S",
                           help="seed of the networks (default: %(default)s)")
    benchmark.add_argument("--device", default="auto", metavar="DEVICE",
                           help="torch device: auto, cpu, cuda, cuda:N (default: %(default)s)")
    benchmark.add_argument("--out", "-o", metavar="RESULTS.csv",
                           help="append one row per dataset to this CSV as it finishes; a "
                                "rerun skips the datasets in it and retries those that "
                                "failed, and continues a killed run's dataset from its "
                                "checkpoints (RESULTS.csv.checkpoints/, saved every "
                                "minute); the table goes beside it as RESULTS.md")
    benchmark.add_argument("--plot", metavar="FILE.png",
                           help="draw ours against published (needs matplotlib: "
                                'pip install "inceptionsk[plot]")')
    benchmark.add_argument("--quiet", "-q", action="store_true",
                           help="no progress bar or notes, only the results")
    benchmark.add_argument("--verbose", "-v", action="store_true",
                           help="the networks' own progress bars too")
    benchmark.add_argument("--threads", type=_positive_int, metavar="T",
                           help="torch threads (default: torch's choice)")
    benchmark.set_defaults(handler=cmd_benchmark)
    return parser


def _run(args):
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    if getattr(args, "split", None) == "all":
        args.split = None
    return args.handler(args)


def main(argv=None):
    """Run the command line; return the exit code.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments; ``sys.argv[1:]`` when None.

    Returns
    -------
    code : int
        0 on success, 2 on a usage error or bad input, 1 on any other failure.

    Examples
    --------
    >>> from inceptionsk.cli import main
    >>> main(["--version"])
    inceptionsk ...
    0
    """
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv = ["demo", *argv]
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed its usage message
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    try:
        code = _run(args)
    except BrokenPipeError:
        # the reader of our output (e.g. `| head`) has gone: what it read was delivered;
        # point stdout at devnull so that Python's exit flush does not fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("inceptionsk: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except TrainingDivergedError as exc:  # a ValueError, but a failure while training
        # the message's advice is the Python API's; its command-line form follows
        print(f"inceptionsk: error: {exc} On the command line, --scale z-normalises each "
              "series before training.", file=sys.stderr)
        return EXIT_FAILURE
    except (InputError, FileNotFoundError, IsADirectoryError, NotADirectoryError,
            PermissionError, ValueError, TypeError) as exc:
        # bad paths, malformed files, data that does not fit the model
        print(f"inceptionsk: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        print(f"inceptionsk: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_OK if code is None else code
