"""Shared test settings: one torch thread, fixed seeds, small real datasets, and the network
sizes and helpers the test files share (imported as ``from conftest import ...``)."""

import contextlib
import errno
import importlib.util
import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from inceptionsk import (
    InceptionNetworkClassifier,
    InceptionNetworkRegressor,
    InceptionTimeClassifier,
    InceptionTimeRegressor,
)
from inceptionsk.datasets import load_basic_motions, load_gunpoint, load_npz

# Tiny networks train tens of times faster on one thread than on two busy cores.
torch.set_num_threads(1)

#: The package's estimators, and those of each kind.
ESTIMATORS = [
    InceptionNetworkClassifier, InceptionNetworkRegressor, InceptionTimeClassifier,
    InceptionTimeRegressor,
]
CLASSIFIERS = [InceptionNetworkClassifier, InceptionTimeClassifier]
ENSEMBLES = [InceptionTimeClassifier, InceptionTimeRegressor]

#: The smallest network, for tests of behaviour (errors, interrupts, files), not of
#: learning: a fraction of a second per epoch.
TINY = dict(n_filters=2, depth=1, kernel_size=8, batch_size=8, device="cpu")

#: A network that learns the small real datasets: a few seconds per fit.
SMALL = dict(n_filters=8, depth=3, kernel_size=10, batch_size=16)

#: Enough training for GunPoint to be learned, small enough for a few seconds a member.
GUNPOINT = dict(SMALL, kernel_size=40, max_epochs=30, lr=0.003)


def make(cls, settings=TINY, **params):
    """An unfitted ``cls`` of ``settings`` (those it has: LITE has no ``depth``), with 1
    epoch, seed 0 and, for an ensemble, 1 member, unless ``params`` say otherwise."""
    names = cls._get_param_names()
    if "n_estimators" in names:
        params.setdefault("n_estimators", 1)
    settings = {name: value for name, value in settings.items() if name in names}
    return cls(**{"max_epochs": 1, "random_state": 0, **settings, **params})


def outputs(estimator, X):
    """What an estimator scores: a classifier's probabilities, a regressor's predictions."""
    method = "predict_proba" if hasattr(estimator, "predict_proba") else "predict"
    return getattr(estimator, method)(X)


def load_benchmark(name):
    """The module of the script ``benchmarks/<name>.py``, imported as when it runs (it
    imports its neighbour machine.py)."""
    path = Path(__file__).resolve().parents[1] / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"{name}_benchmark", path)
    module = importlib.util.module_from_spec(spec)
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(path.parent))
        spec.loader.exec_module(module)
    return module


def trained_statistics(net, c_in, n_timepoints):
    """``net`` in eval mode after a few training batches, so that every batch norm has
    non-trivial statistics."""
    net.train()
    with torch.no_grad():
        for _ in range(3):
            net(torch.randn(16, c_in, n_timepoints) * 3 + 1)
    return net.eval()


def assert_same_computation(net, reference, x, reference_forward):
    """``net(x)`` computes what ``reference_forward(reference, x)`` does, for a copy
    ``reference`` of ``net``: the outputs, the gradients of every parameter and, in
    training mode, the batch-norm statistics, up to float32 rounding."""
    out, expected = net(x), reference_forward(reference, x)
    torch.testing.assert_close(out, expected, rtol=1e-4, atol=1e-5)
    out.square().sum().backward()
    expected.square().sum().backward()
    for (name, p), p_ref in zip(net.named_parameters(), reference.parameters(), strict=True):
        torch.testing.assert_close(p.grad, p_ref.grad, rtol=1e-3, atol=1e-4, msg=name)
    for name, buffer in net.state_dict().items():
        torch.testing.assert_close(buffer, reference.state_dict()[name], msg=name)


@pytest.fixture(scope="session")
def gunpoint():
    """GunPoint's published train and test splits: (X_train, y_train, X_test, y_test)."""
    return (*load_gunpoint(split="train", return_X_y=True),
            *load_gunpoint(split="test", return_X_y=True))


@pytest.fixture(scope="session")
def basic_motions():
    """BasicMotions' published train and test splits: (X_train, y_train, X_test, y_test)."""
    return (*load_basic_motions(split="train", return_X_y=True),
            *load_basic_motions(split="test", return_X_y=True))


@pytest.fixture(scope="session")
def japanese_vowels():
    """JapaneseVowels' published splits (12 channels, 7-29 steps): (X_train, y_train,
    X_test, y_test), X as object arrays of (12, length) arrays."""
    path = Path(__file__).parent / "data" / "JapaneseVowels.npz"  # our file: object arrays
    return (*load_npz(path, split="train", return_X_y=True, allow_pickle=True),
            *load_npz(path, split="test", return_X_y=True, allow_pickle=True))


@pytest.fixture
def rng():
    return np.random.RandomState(0)


@contextlib.contextmanager
def full_disk(after=4096):
    """os.write writes ``after`` bytes in all, then fails with ENOSPC, as on a full disk."""
    real_write, room = os.write, [after]

    def write(handle, data):
        if room[0] == 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written = real_write(handle, bytes(data[: room[0]]))
        room[0] -= written
        return written

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "write", write)
        yield


class KillWorker(Callback):
    """SIGKILL this process at the end of ``epoch`` of the network seeded with ``seed``
    (training seeds torch with the member's seed), the first time only: ``marker`` is
    created then, holding the time of the kill. ``hold_others``: the other networks wait
    at each epoch's end until the kill."""

    def __init__(self, seed, epoch, marker, hold_others=False):
        self.seed = seed
        self.epoch = epoch
        self.marker = marker
        self.hold_others = hold_others

    def on_epoch_end(self, net, **kwargs):
        if torch.initial_seed() != self.seed and self.hold_others:
            # the other networks wait for the kill, so that none can finish before it
            # however the workers are scheduled (a bounded wait: a test never hangs; on a
            # loaded machine the victim's worker may take a minute to reach its epoch)
            deadline = time.time() + 300
            while not os.path.exists(self.marker) and time.time() < deadline:
                time.sleep(0.05)
            return
        if torch.initial_seed() != self.seed or len(net.history) != self.epoch:
            return
        try:
            with open(self.marker, "x") as file:
                file.write(repr(time.time()))
        except FileExistsError:
            return
        os.kill(os.getpid(), signal.SIGKILL)
