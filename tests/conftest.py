"""Shared test settings: one torch thread, fixed seeds, small real datasets."""

import numpy as np
import pytest
import torch

from inceptionsk.datasets import load_basic_motions, load_gunpoint

# Tiny networks train tens of times faster on one thread than on two busy cores.
torch.set_num_threads(1)

#: Network settings small enough for tests: a few seconds per fit.
SMALL = dict(n_filters=8, depth=3, kernel_size=10, batch_size=16)


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


@pytest.fixture
def rng():
    return np.random.RandomState(0)
