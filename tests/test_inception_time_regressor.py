"""InceptionTimeRegressor: targets of any scale, multi-output, reproducibility, CV."""

import pickle

import numpy as np
import pytest
from conftest import SMALL
from sklearn.model_selection import cross_val_score

from inceptionsk import InceptionNetworkRegressor, InceptionTimeRegressor


@pytest.fixture(scope="module")
def regression_problem():
    """The mean level of each series, with the series of two channels (learnable)."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 2, 40)).astype(np.float32)
    X += rng.normal(size=(80, 1, 1)) * 2
    y = X[:, 0].mean(axis=1) * 1e4 + 5e4  # a target far from unit scale
    return X, y


def test_learns_a_target_far_from_unit_scale(regression_problem):
    X, y = regression_problem
    settings = dict(SMALL, max_epochs=40, lr=0.01)
    reg = InceptionTimeRegressor(n_estimators=2, random_state=0, **settings)
    reg.fit(X[:60], y[:60])
    assert reg.score(X[60:], y[60:]) > 0.7
    members = np.mean([m.predict(X[60:]) for m in reg.estimators_], axis=0)
    np.testing.assert_allclose(reg.predict(X[60:]), members)
    assert all(isinstance(m, InceptionNetworkRegressor) for m in reg.estimators_)


def test_multi_output_and_shapes(regression_problem):
    X, y = regression_problem
    Y = np.column_stack([y, -y / 1e4])
    settings = dict(SMALL, max_epochs=2)
    reg = InceptionTimeRegressor(n_estimators=1, random_state=0, **settings).fit(X, Y)
    assert reg.predict(X).shape == (80, 2)
    assert reg.estimators_[0].n_outputs_ == 2
    reg.fit(X, y)
    assert reg.predict(X).shape == (80,)


def test_reproducible_and_picklable(regression_problem):
    X, y = regression_problem
    settings = dict(SMALL, max_epochs=3)
    first = InceptionTimeRegressor(n_estimators=2, random_state=7, **settings).fit(X, y)
    second = InceptionTimeRegressor(n_estimators=2, random_state=7, **settings).fit(X, y)
    np.testing.assert_array_equal(first.predict(X), second.predict(X))
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(first)).predict(X), first.predict(X))


def test_cross_val_score(regression_problem):
    X, y = regression_problem
    reg = InceptionTimeRegressor(n_estimators=1, random_state=0, **dict(SMALL, max_epochs=2))
    assert cross_val_score(reg, X, y, cv=2).shape == (2,)


def test_nan_target_is_refused(regression_problem):
    X, y = regression_problem
    y = y.copy()
    y[3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        InceptionTimeRegressor(n_estimators=1, max_epochs=1).fit(X, y)
