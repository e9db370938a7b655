"""Time training epochs of InceptionNetworkClassifier against a plain PyTorch loop.

Both train the same network (``InceptionTime``, default size, the same forward) on the
same data with the same recipe step (Adam, cross-entropy, shuffled batches of 64); the
difference is what skorch and the estimator add per epoch (data loading, history,
callbacks). The script prints seconds per epoch (median over the timed epochs, after one
warm-up epoch) and the overhead ratio. ``speed.py`` puts these figures beside the rest
(tsai's 1D forward, inference, the ensemble); this script is its quick subset.

Usage::

    python benchmarks/overhead.py                      # GunPoint shape and 1000x1x500
    python benchmarks/overhead.py --epochs 5 --threads 2
    python benchmarks/overhead.py --data gunpoint      # one of them
"""

import argparse
import platform

import numpy as np
import torch
from speed import bare_loop_epoch_times, estimator_epoch_times, make_data

from inceptionsk.network import InceptionTime

SHAPES = {"gunpoint": "gunpoint", "synthetic": "1000x1x500"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=4, help="epochs per run (first is warm-up)")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads (default: torch's)")
    parser.add_argument("--data", nargs="+", default=list(SHAPES), choices=list(SHAPES))
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{platform.processor() or platform.machine()}, {args.epochs} epochs per run")
    print(f"{'data':<22}{'plain s/epoch':>15}{'estimator s/epoch':>19}{'overhead':>10}")
    for name in args.data:
        X, y = make_data(SHAPES[name])
        plain = np.median(bare_loop_epoch_times(X, y, InceptionTime.__call__, args.epochs)[1:])
        ours = np.median(estimator_epoch_times(X, y, args.epochs)[1:])
        label = f"{name} {X.shape[0]}x{X.shape[1]}x{X.shape[2]}"
        print(f"{label:<22}{plain:>15.3f}{ours:>19.3f}{ours / plain - 1:>+10.1%}")


if __name__ == "__main__":
    main()
