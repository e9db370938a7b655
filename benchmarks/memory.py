"""Peak memory of scoring a large X: predict_proba runs in chunks of ``batch_size`` cases.

Scoring 100,000 series of 1,000 time points (400 MB of float32) holds one chunk of
activations at a time, so the peak resident memory while scoring stays close to the
memory of X itself. The script fits a network on a few cases (the weights do not matter
for memory), then reports the peak resident set size (``ru_maxrss``) before and after
scoring, beside what one layer's activations of all cases at once would take.

Usage::

    python benchmarks/memory.py                               # 100000 x 1 x 1000, tiny net
    python benchmarks/memory.py --n-filters 32 --depth 6      # the paper's network (slow)
    python benchmarks/memory.py --n-cases 20000 --length 200 --threads 2
"""

import argparse
import platform
import resource
import time

import numpy as np
import torch

from inceptionsk import InceptionNetworkClassifier


def peak_rss_mb():
    """Peak resident set size of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-cases", type=int, default=100_000)
    parser.add_argument("--length", type=int, default=1_000)
    parser.add_argument("--n-filters", type=int, default=4)
    parser.add_argument("--depth", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    # Filled in place, in float32: no float64 copy of X raises the peak before scoring.
    X = np.empty((args.n_cases, 1, args.length), dtype=np.float32)
    np.random.default_rng(0).standard_normal(out=X, dtype=np.float32)
    clf = InceptionNetworkClassifier(
        n_filters=args.n_filters, depth=args.depth, batch_size=args.batch_size, max_epochs=1,
        device="cpu", random_state=0,
    ).fit(X[:64], np.tile([0, 1], 32))
    before = peak_rss_mb()
    start = time.perf_counter()
    proba = clf.predict_proba(X)
    elapsed = time.perf_counter() - start
    after = peak_rss_mb()
    assert proba.shape == (args.n_cases, 2) and np.isfinite(proba).all()

    channels = 4 * args.n_filters  # an Inception module's output
    one_layer_all_cases = args.n_cases * channels * args.length * 4 / 2**20
    print(f"{platform.processor() or platform.machine()}, torch {torch.__version__}, "
          f"{args.threads} thread(s)")
    print(f"X: {args.n_cases} x 1 x {args.length} float32 = {X.nbytes / 2**20:.0f} MB; "
          f"network n_filters={args.n_filters}, depth={args.depth}; "
          f"batch_size={args.batch_size}")
    print(f"scored in {elapsed:.1f} s")
    print(f"peak RSS before scoring: {before:.0f} MB; after: {after:.0f} MB; "
          f"scoring added {after - before:.0f} MB")
    print(f"one module's output for all cases at once would take "
          f"{one_layer_all_cases:.0f} MB; one chunk takes "
          f"{one_layer_all_cases * args.batch_size / args.n_cases:.1f} MB")


if __name__ == "__main__":
    main()
