"""Test accuracy of an InceptionTime configuration on several datasets, beside the paper's.

A thin wrapper of :func:`inceptionsk.benchmark.benchmark_dataset`, the function behind
``inceptionsk benchmark ARCHIVE_DIR`` (use that command for whole archive folders: it
resumes, and says what it did to the scale). This script takes single datasets of any
kind and the network's and schedule's parameters, for experiments: DATA are bundled
names, UCR/UEA/TSER dataset folders, ``.ts``/``.tsv`` files of a pair, or ``.npz`` files
with ``X_train``, ``y_train``, ``X_test``, ``y_test`` (see
``inceptionsk.datasets.load_dataset``). Writes ``OUT.csv`` (the benchmark's columns, one
row per dataset, rewritten after each), ``OUT.md`` (the benchmark's table and summary,
the machine and the command) and ``OUT.png`` (ours vs published).

Run from the repository root with the package installed (or ``PYTHONPATH=.``)::

    nice -n 10 python benchmarks/accuracy.py GunPoint BasicMotions \\
        data/ItalyPowerDemand.npz ~/UCRArchive_2018/Coffee \\
        --n-estimators 2 --max-epochs 200 --threads 1 --out benchmarks/results/short

The defaults are the paper's recipe (5 networks x 1500 epochs), which takes hours per
dataset on a CPU: pass a budget. The series are used as stored (``--scale none``, how
``RESULTS.md``'s runs were made) unless ``--scale`` says otherwise. Series of unequal
length go to the estimators as they are: the networks mask the padding. (Before this
script became a wrapper it could also pad them with zeros, ``--unequal pad-zeros``, which
some early runs in ``RESULTS.md`` name.)
"""

import argparse
import shlex
import sys
import time
from pathlib import Path

import torch
from machine import machine_description

from inceptionsk.benchmark import BenchmarkResult, benchmark_dataset
from inceptionsk.cli import MODELS


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
    parser.add_argument("--recipe", choices=["paper", "fast"], default="paper")
    parser.add_argument("--n-estimators", type=int, default=None,
                        help="default: the recipe's")
    parser.add_argument("--max-epochs", type=int, default=None,
                        help="default: the recipe's")
    # the network's and the schedule's parameters: the estimators' defaults (the recipe's)
    # unless given
    parser.add_argument("--n-filters", type=int)
    parser.add_argument("--depth", type=int)
    parser.add_argument("--kernel-size", type=int)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--lr", type=float)
    parser.add_argument("--lr-schedule", choices=["plateau", "one_cycle"],
                        help="plateau: the paper's; one_cycle: short budgets'")
    parser.add_argument("--scale", choices=["auto", "series", "none"], default="none",
                        help="series: z-normalise each series first; auto: as the paper's "
                             "code did (see inceptionsk.benchmark) (default: %(default)s)")
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--precision", choices=["float32", "bfloat16"], default="float32",
                        help="the arithmetic of training (default: %(default)s)")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads (torch.set_num_threads); default: torch's")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser.parse_args(argv)


def network_params(args):
    """The estimator parameters that the benchmark's options do not set."""
    params = dict(n_filters=args.n_filters, depth=args.depth, kernel_size=args.kernel_size,
                  batch_size=args.batch_size, lr=args.lr, lr_schedule=args.lr_schedule,
                  device=args.device)
    accepted = MODELS[args.model].estimator._get_param_names()  # LITE has no depth
    return {key: value for key, value in params.items()
            if value is not None and key in accepted}


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
        row = benchmark_dataset(
            data, model=args.model, recipe=args.recipe, precision=args.precision,
            n_estimators=args.n_estimators, max_epochs=args.max_epochs, scale=args.scale,
            random_state=args.random_state, verbose=not args.quiet,
            params=network_params(args), allow_pickle=True,
        )
        rows.append(row)
        print(f"{row['dataset']}: {row['metric']} {row['score']:.4f} (published "
              f"{row['published'] or 'n/a'}), trained in {row['seconds']:.0f} s", flush=True)
        BenchmarkResult(rows).to_csv(f"{out}.csv")
    result = BenchmarkResult(rows)
    report = (f"Machine: {machine_description()}. Total time "
              f"{(time.perf_counter() - start) / 60:.1f} min.\n\nCommand: `{command}`\n\n"
              + result.to_markdown())
    Path(f"{out}.md").write_text(report, encoding="utf-8")
    if any(row["published"] is not None for row in rows):
        import matplotlib

        matplotlib.use("Agg")
        from inceptionsk.plotting import plot_benchmark

        plot_benchmark(result).savefig(f"{out}.png", dpi=100, bbox_inches="tight")
    print(report)


if __name__ == "__main__":
    main()
