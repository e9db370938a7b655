"""Shared test settings: one torch thread, fixed seeds, small real datasets, and the network
sizes and helpers the test files share (imported as ``from conftest import ...``)."""

import numpy as np
import pytest
import torch

from inceptionsk import (
    InceptionNetworkClassifier,
    InceptionNetworkRegressor,
    InceptionTimeClassifier,
    InceptionTimeRegressor,
)
from inceptionsk.datasets import load_basic_motions, load_gunpoint

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
    """An unfitted ``cls`` of ``settings``, with 1 epoch, seed 0 and, for an ensemble, 1
    member, unless ``params`` say otherwise."""
    if cls in ENSEMBLES:
        params.setdefault("n_estimators", 1)
    return cls(**{"max_epochs": 1, "random_state": 0, **settings, **params})


def outputs(estimator, X):
    """What an estimator scores: a classifier's probabilities, a regressor's predictions."""
    method = "predict_proba" if hasattr(estimator, "predict_proba") else "predict"
    return getattr(estimator, method)(X)


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
