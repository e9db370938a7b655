"""Training and inference speed of InceptionTime, side by side, in one run on the same data.

Prints the machine, the 1-minute load average (at the start and the end: a run on a
busy machine is void) and the fp32 matmul peak measured in this run (GFLOP/s); then, for
each data shape:

- a training epoch (batches of 64, Adam) of the plain eager loop (tsai's 1D forward,
  ``tests/tsai_reference.py``), of our channels_last forward in the same bare loop, and
  of ``InceptionNetworkClassifier.fit`` (skorch, the recipe's callbacks): seconds,
  GFLOP/s (3x the forward FLOPs per case), share of the matmul peak, speed-up over plain;
- the estimator's epoch on the same series cut to lengths drawn from [L/2, L] (padded
  to L and masked) against its equal-length epoch at L;
- the estimator's epoch with ``precision="bfloat16"`` (autocast) against float32;
- a LITE network's epoch (``LITENetworkClassifier``) against InceptionTime's;
- inference: plain eager scoring in batches of 64 (with autograd, and under
  ``torch.no_grad``) against ``predict_proba`` (inference mode, batch norm folded into
  the convolutions, chunks of ``batch_size``), in cases per second;
- unless ``--skip-ensemble``: one member against a 5-member ensemble (``n_jobs=1``,
  ``n_jobs=2``), 2 epochs.

``--threads-sweep 1 2`` times the estimator's epoch and ``predict_proba`` at each thread
count instead (torch's default is the number of cores).

Usage::

    python benchmarks/speed.py                         # GunPoint, 1000x1x500, 500x6x100
    python benchmarks/speed.py --threads 1 --shapes 1000x1x500 --skip-ensemble
    python benchmarks/speed.py --threads-sweep 1 2 --shapes gunpoint 1000x1x500
    python benchmarks/speed.py --device cuda           # on a GPU (data held on the GPU)
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
from machine import load_average, machine_description, matmul_peak_gflops
from skorch.callbacks import Callback
from torch.utils.flop_counter import FlopCounterMode

from inceptionsk import (
    InceptionNetworkClassifier,
    InceptionTimeClassifier,
    LITENetworkClassifier,
)
from inceptionsk.network import InceptionTime

# tsai's 1D forward, the baseline, lives with the tests that check ours against it
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from tsai_reference import tsai_forward  # noqa: E402

DEVICE = "cpu"  # set by --device


def _timed(function):
    _synchronize()
    start = time.perf_counter()
    function()
    _synchronize()
    return time.perf_counter() - start


def _synchronize():
    if DEVICE.startswith("cuda"):
        torch.cuda.synchronize()


def forward_flops_per_case(n_channels, n_timepoints):
    """FLOPs of one case's forward pass (convolutions and the linear head)."""
    net = InceptionTime(n_channels, 2).eval()
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        net(torch.zeros(1, n_channels, n_timepoints))
    return counter.get_total_flops()


def bare_loop_epoch_times(X, y, forward, epochs, batch_size=64, seed=0):
    """Seconds of each epoch of a hand-written loop with the given forward function."""
    torch.manual_seed(seed)
    net = InceptionTime(X.shape[1], int(y.max()) + 1).to(DEVICE)
    optimizer = torch.optim.Adam(net.parameters(), lr=0.001)
    loss_fn = torch.nn.CrossEntropyLoss()
    X_t, y_t = torch.from_numpy(X).to(DEVICE), torch.from_numpy(y).to(DEVICE)
    net.train()
    times = []
    for _ in range(epochs):
        _synchronize()
        start = time.perf_counter()
        for batch in torch.randperm(len(X_t), device=DEVICE).split(batch_size):
            optimizer.zero_grad()
            loss_fn(forward(net, X_t[batch]), y_t[batch]).backward()
            optimizer.step()
        _synchronize()
        times.append(time.perf_counter() - start)
    return times


class EpochWallClock(Callback):
    """Time stamps at the end of every epoch, after the recipe's callbacks ran."""

    def on_train_begin(self, net, **kwargs):
        self.stamps = [time.perf_counter()]

    def on_epoch_end(self, net, **kwargs):
        self.stamps.append(time.perf_counter())


def estimator_epoch_times(X, y, epochs, batch_size=64, seed=0, cls=InceptionNetworkClassifier,
                          precision="float32"):
    """Seconds of each epoch of ``cls.fit`` (X may be a list of series of unequal lengths)."""
    clock = EpochWallClock()
    cls(
        max_epochs=epochs, batch_size=batch_size, device=DEVICE, random_state=seed,
        precision=precision, callbacks=[clock],
    ).fit(X, y)
    return list(np.diff(clock.stamps))


def unequal_lengths(X, seed=0):
    """The series of X cut to lengths drawn uniformly from [L/2, L], the first kept whole
    (so that the batch is padded to L): a list, as the estimators take unequal lengths."""
    length = X.shape[-1]
    lengths = np.random.RandomState(seed).randint(length // 2, length + 1, len(X))
    lengths[0] = length
    return [case[:, :n] for case, n in zip(X, lengths, strict=True)]


def plain_inference_rate(X, batch_size=64, autograd=False):
    """Cases per second of tsai's forward in eval mode, batches of 64, under ``no_grad``
    unless ``autograd`` (a plain ``net.eval(); net(x)`` without it)."""
    net = InceptionTime(X.shape[1], 2).to(DEVICE).eval()
    X_t = torch.from_numpy(X).to(DEVICE)

    def score():
        with torch.enable_grad() if autograd else torch.no_grad():
            for batch in X_t.split(batch_size):
                torch.softmax(tsai_forward(net, batch), dim=1)

    score()
    return len(X) / min(_timed(score) for _ in range(2))


def predict_proba_rate(X, y):
    """Cases per second of InceptionNetworkClassifier.predict_proba (one epoch trained)."""
    clf = InceptionNetworkClassifier(max_epochs=1, device=DEVICE, random_state=0)
    clf.fit(X[:64], y[:64])
    clf.predict_proba(X[:64])
    return len(X) / min(_timed(lambda: clf.predict_proba(X)) for _ in range(2))


def ensemble_times(X, y, epochs):
    """Seconds to fit one member, and 5 members with n_jobs=1 and n_jobs=2."""
    settings = dict(max_epochs=epochs, device=DEVICE, random_state=0)
    times = {
        "1 member": _timed(lambda: InceptionTimeClassifier(n_estimators=1, **settings).fit(X, y)),
        "5 members, n_jobs=1": _timed(
            lambda: InceptionTimeClassifier(n_estimators=5, n_jobs=1, **settings).fit(X, y)
        ),
    }
    if DEVICE == "cpu":  # worker processes share one GPU: not a configuration to time
        times["5 members, n_jobs=2"] = _timed(
            lambda: InceptionTimeClassifier(n_estimators=5, n_jobs=2, **settings).fit(X, y)
        )
    return times


def make_data(shape):
    if shape == "gunpoint":
        from inceptionsk.datasets import load_gunpoint

        X, y = load_gunpoint(split="train", return_X_y=True)
        return X, np.unique(y, return_inverse=True)[1].astype(np.int64)
    n, c, t = map(int, shape.split("x"))
    rng = np.random.RandomState(0)
    return rng.normal(size=(n, c, t)).astype(np.float32), rng.randint(0, 2, n).astype(np.int64)


def describe_machine(peak):
    machine = machine_description()
    if DEVICE.startswith("cuda"):
        machine = f"{torch.cuda.get_device_name(DEVICE)} (TF32 matmul: "
        machine += f"{torch.backends.cuda.matmul.allow_tf32}), host: {machine_description()}"
    return f"{machine}; fp32 matmul peak {peak:.0f} GFLOP/s; load average {load_average():.2f}"


def report_shape(shape, X, y, args, peak):
    """Print the training, masking, LITE, inference and ensemble timings of one shape."""
    flops = 3 * forward_flops_per_case(X.shape[1], X.shape[2]) * len(X)  # one epoch
    plain = np.median(bare_loop_epoch_times(X, y, tsai_forward, args.epochs)[1:])
    ours = np.median(bare_loop_epoch_times(X, y, InceptionTime.__call__, args.epochs)[1:])
    estimator = np.median(estimator_epoch_times(X, y, args.epochs)[1:])
    print(f"\n{shape} ({'x'.join(map(str, X.shape))}), training epoch of batches of 64:")
    for name, seconds in [("plain eager (tsai 1D)", plain), ("our forward, bare loop", ours),
                          ("estimator (skorch)", estimator)]:
        print(f"  {name:<26}{seconds:8.3f} s {flops / seconds / 1e9:7.1f} GFLOP/s "
              f"({flops / seconds / 1e9 / peak:4.0%} of peak) {plain / seconds:5.2f}x plain")
    print(f"  skorch overhead over the bare loop: {estimator / ours - 1:+.1%}")
    masked = np.median(estimator_epoch_times(unequal_lengths(X), y, args.epochs)[1:])
    print(f"  estimator, lengths in [L/2, L] padded to L: {masked:8.3f} s, "
          f"{masked / estimator:.2f}x the equal-length epoch")
    bf16 = np.median(estimator_epoch_times(X, y, args.epochs, precision="bfloat16")[1:])
    print(f"  estimator, precision='bfloat16': {bf16:8.3f} s, {estimator / bf16:.2f}x "
          f"faster than float32, {plain / bf16:.2f}x plain")
    lite = np.median(estimator_epoch_times(X, y, args.epochs, cls=LITENetworkClassifier)[1:])
    print(f"  LITE network (estimator): {lite:8.3f} s, InceptionTime's epoch is "
          f"{estimator / lite:.1f}x as long")
    plain_rate, our_rate = plain_inference_rate(X), predict_proba_rate(X, y)
    autograd_rate = plain_inference_rate(X, autograd=True)
    inference_flops = flops / 3
    print("  inference, batches of 64:")
    for name, rate in [("plain eager, autograd on", autograd_rate),
                       ("plain eager, no_grad", plain_rate),
                       ("predict_proba (folded)", our_rate)]:
        print(f"  {name:<26}{rate:8,.0f} cases/s {inference_flops / len(X) * rate / 1e9:7.1f} "
              f"GFLOP/s {rate / plain_rate:5.2f}x plain no_grad")
    if not args.skip_ensemble:
        for name, seconds in ensemble_times(X, y, 2).items():
            print(f"  fit, 2 epochs, {name:<22}{seconds:8.1f} s")


def report_threads(shape, X, y, args):
    """Print the estimator's epoch and predict_proba's rate at each thread count."""
    print(f"\n{shape} ({'x'.join(map(str, X.shape))}), by torch's thread count:")
    for threads in args.threads_sweep:
        torch.set_num_threads(threads)
        epoch = np.median(estimator_epoch_times(X, y, args.epochs)[1:])
        print(f"  {threads} thread(s): training epoch {epoch:8.3f} s, predict_proba "
              f"{predict_proba_rate(X, y):8,.0f} cases/s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", nargs="+", default=["gunpoint", "1000x1x500", "500x6x100"],
                        help="'gunpoint' or NxCxT synthetic shapes")
    parser.add_argument("--epochs", type=int, default=3, help="epochs per run (first is warm-up)")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads (default: torch's)")
    parser.add_argument("--threads-sweep", type=int, nargs="+", default=None, metavar="N",
                        help="time the estimator at each of these thread counts instead")
    parser.add_argument("--skip-ensemble", action="store_true", help="skip the ensemble timing")
    parser.add_argument("--device", default="cpu", help="torch device (default: cpu)")
    args = parser.parse_args()
    global DEVICE
    DEVICE = args.device
    if args.threads:
        torch.set_num_threads(args.threads)
    peak = matmul_peak_gflops(device=DEVICE)
    print(describe_machine(peak))
    for shape in args.shapes:
        X, y = make_data(shape)
        if args.threads_sweep:
            report_threads(shape, X, y, args)
        else:
            report_shape(shape, X, y, args, peak)
    peak = matmul_peak_gflops(device=DEVICE)
    print(f"\nAt the end: fp32 matmul peak {peak:.0f} GFLOP/s, load average {load_average():.2f}")


if __name__ == "__main__":
    main()
