"""Time training epochs of InceptionNetworkClassifier against a plain PyTorch loop.

Both train the same network (``InceptionTime``, default size) on the same data with the
same recipe step (Adam, cross-entropy, shuffled batches of 64); the difference is what
skorch and the estimator add per epoch (data loading, history, callbacks). The script
prints seconds per epoch (median over the timed epochs, after one warm-up epoch) and the
overhead ratio.

Usage::

    python benchmarks/overhead.py                      # GunPoint shape and 1000x1x500
    python benchmarks/overhead.py --epochs 5 --threads 2
    python benchmarks/overhead.py --data gunpoint      # one of them
"""

import argparse
import platform
import time

import numpy as np
import torch
from skorch.callbacks import Callback

from inceptionsk import InceptionNetworkClassifier
from inceptionsk.network import InceptionTime


def make_data(name):
    """(X, y) of the given benchmark shape: GunPoint itself, or synthetic 1000x1x500."""
    if name == "gunpoint":
        from inceptionsk.datasets import load_gunpoint

        X, y = load_gunpoint(split="train", return_X_y=True)
        return X, np.unique(y, return_inverse=True)[1]
    rng = np.random.RandomState(0)
    return rng.normal(size=(1000, 1, 500)).astype(np.float32), rng.randint(0, 2, 1000)


def plain_loop_epoch_times(X, y, epochs, batch_size=64, seed=0):
    """Seconds of each epoch of a hand-written PyTorch training loop."""
    torch.manual_seed(seed)
    module = InceptionTime(X.shape[1], len(np.unique(y)))
    optimizer = torch.optim.Adam(module.parameters(), lr=0.001)
    loss_fn = torch.nn.CrossEntropyLoss()
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    times = []
    module.train()
    for _ in range(epochs):
        start = time.perf_counter()
        for batch in torch.randperm(len(X_t)).split(batch_size):
            optimizer.zero_grad()
            loss = loss_fn(module(X_t[batch]), y_t[batch])
            loss.backward()
            optimizer.step()
        times.append(time.perf_counter() - start)
    return times


class EpochWallClock(Callback):
    """Time between the ends of consecutive epochs, after every other callback ran."""

    def on_train_begin(self, net, **kwargs):
        self.stamps = [time.perf_counter()]

    def on_epoch_end(self, net, **kwargs):
        self.stamps.append(time.perf_counter())


def estimator_epoch_times(X, y, epochs, batch_size=64, seed=0):
    """Seconds of each epoch of InceptionNetworkClassifier.fit, all callbacks included.

    skorch's own ``dur`` stops before the later callbacks (scheduler, keep-best copy), so
    a callback placed last takes the time stamps.
    """
    clock = EpochWallClock()
    clf = InceptionNetworkClassifier(
        max_epochs=epochs, batch_size=batch_size, device="cpu", random_state=seed,
        callbacks=[clock],
    )
    clf.fit(X, y)
    return list(np.diff(clock.stamps))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=4, help="epochs per run (first is warm-up)")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads (default: torch's)")
    parser.add_argument("--data", nargs="+", default=["gunpoint", "synthetic"],
                        choices=["gunpoint", "synthetic"])
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{platform.processor() or platform.machine()}, {args.epochs} epochs per run")
    print(f"{'data':<22}{'plain s/epoch':>15}{'estimator s/epoch':>19}{'overhead':>10}")
    for name in args.data:
        X, y = make_data(name)
        plain = np.median(plain_loop_epoch_times(X, y, args.epochs)[1:])
        ours = np.median(estimator_epoch_times(X, y, args.epochs)[1:])
        label = f"{name} {X.shape[0]}x{X.shape[1]}x{X.shape[2]}"
        print(f"{label:<22}{plain:>15.3f}{ours:>19.3f}{ours / plain - 1:>+10.1%}")


if __name__ == "__main__":
    main()
