"""The regressors' ``loss``: squared error (the paper's), absolute error and Huber's loss."""

import numpy as np
import pytest
import torch
from conftest import SMALL, make

from inceptionsk import (
    InceptionNetworkRegressor,
    InceptionTimeRegressor,
    LITETimeRegressor,
    distill,
    load,
    save,
)
from inceptionsk.training import DistillationLoss


@pytest.fixture(scope="module")
def skewed_targets():
    """One series for every case, and targets of which 15% are 10 and the rest 0: mean
    1.5, median 0. A network can only learn one constant, which each loss puts at its
    own centre of the targets."""
    rng = np.random.RandomState(0)
    X = np.repeat(rng.normal(size=(1, 1, 24)).astype(np.float32), 120, axis=0)
    y = np.zeros(120)
    y[:18] = 10.0
    return X, rng.permutation(y)


@pytest.mark.parametrize("loss, centre", [
    ("squared_error", 1.5), ("absolute_error", 0.0), ("huber", 0.0),
])
def test_each_loss_predicts_its_own_centre_of_the_targets(skewed_targets, loss, centre):
    """The squared error predicts the mean (1.5), the absolute error and Huber's loss
    with a small ``epsilon`` the median (0): the skew of the targets no longer pulls the
    predictions of the robust losses."""
    X, y = skewed_targets
    reg = make(InceptionNetworkRegressor, SMALL, loss=loss, epsilon=0.05, max_epochs=20,
               lr=0.01).fit(X, y)
    prediction = np.median(reg.predict(X))
    other = 0.0 if centre else 1.5
    assert abs(prediction - centre) < abs(prediction - other), (loss, prediction)


@pytest.mark.parametrize("cls", [InceptionNetworkRegressor, InceptionTimeRegressor,
                                 LITETimeRegressor])
def test_the_loss_reaches_every_network(cls, skewed_targets):
    X, y = skewed_targets
    reg = make(cls, loss="huber", epsilon=0.25, n_filters=2).fit(X[:20], y[:20])
    for member in getattr(reg, "estimators_", [reg]):
        criterion = member.net_.criterion_
        assert isinstance(criterion, torch.nn.HuberLoss) and criterion.delta == 0.25
    assert isinstance(make(cls, n_filters=2).fit(X[:20], y[:20]).predict(X[:2]), np.ndarray)


def test_saved_and_loaded_with_its_loss(tmp_path, skewed_targets):
    X, y = skewed_targets
    reg = make(InceptionNetworkRegressor, loss="absolute_error").fit(X[:20], y[:20])
    save(reg, tmp_path / "model.pt")
    loaded = load(tmp_path / "model.pt")
    assert loaded.loss == "absolute_error"
    assert isinstance(loaded.net_.criterion_, torch.nn.L1Loss)
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))


def test_huber_distillation_uses_huber_on_both_terms():
    rng = torch.Generator().manual_seed(0)
    student, target, teacher = (torch.randn(6, 1, generator=rng) * 2 for _ in range(3))

    def huber(d, delta=0.3):
        return torch.where(d.abs() <= delta, 0.5 * d**2, delta * (d.abs() - 0.5 * delta))

    loss = DistillationLoss(alpha=0.25, regression=True, loss="huber", epsilon=0.3)
    torch.testing.assert_close(loss(student, [target, teacher]),
                               0.75 * huber(student - target) + 0.25 * huber(student - teacher))
    absolute = DistillationLoss(regression=True, loss="absolute_error")
    torch.testing.assert_close(absolute(student, target), (student - target).abs())


def test_a_huber_student_distils_with_huber(skewed_targets):
    X, y = skewed_targets
    teacher = make(InceptionTimeRegressor, n_filters=2).fit(X[:20], y[:20])
    student = distill(teacher, X[:20], y[:20],
                      make(InceptionNetworkRegressor, loss="huber", epsilon=0.5, n_filters=2))
    criterion = student.net_.criterion_
    assert isinstance(criterion, DistillationLoss)
    assert (criterion.loss, criterion.epsilon) == ("huber", 0.5)
