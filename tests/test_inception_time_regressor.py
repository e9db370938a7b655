"""InceptionTimeRegressor: targets of any scale, multi-output, reproducibility, CV."""

import pickle

import numpy as np
import pytest
from conftest import SMALL, make
from sklearn.base import clone
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold, cross_val_score

from inceptionsk import InceptionNetworkRegressor, InceptionTimeRegressor


@pytest.fixture(scope="module")
def regression_problem():
    """The mean level of each series, with the series of two channels (learnable)."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 2, 40)).astype(np.float32)
    X += rng.normal(size=(80, 1, 1)) * 2
    y = X[:, 0].mean(axis=1) * 1e4 + 5e4  # a target far from unit scale
    return X, y


def test_learns_two_targets_far_from_unit_scale(regression_problem):
    """Each target is learned (R^2 on held-out cases), though the two differ in scale by
    ten orders of magnitude, and the ensemble predicts its members' mean."""
    X, y = regression_problem
    Y = np.column_stack([y, X[:, 1].mean(axis=1) * 1e-6])
    settings = dict(SMALL, max_epochs=40, lr=0.01)
    reg = InceptionTimeRegressor(n_estimators=2, random_state=0, **settings)
    reg.fit(X[:60], Y[:60])
    predicted = reg.predict(X[60:])
    assert predicted.shape == (20, 2) and reg.estimators_[0].n_outputs_ == 2
    assert (r2_score(Y[60:], predicted, multioutput="raw_values") > 0.7).all()
    members = np.mean([m.predict(X[60:]) for m in reg.estimators_], axis=0)
    np.testing.assert_allclose(predicted, members)
    assert all(isinstance(m, InceptionNetworkRegressor) for m in reg.estimators_)


def test_a_refit_on_one_target_forgets_the_two_of_before(regression_problem):
    X, y = regression_problem
    settings = dict(SMALL, max_epochs=2)
    reg = InceptionTimeRegressor(n_estimators=1, random_state=0, **settings)
    reg.fit(X, np.column_stack([y, -y]))
    reg.fit(X, y)
    assert reg.predict(X).shape == (80,) and reg.estimators_[0].n_outputs_ == 1


def test_reproducible_and_picklable(regression_problem):
    X, y = regression_problem
    settings = dict(SMALL, max_epochs=3)
    first = InceptionTimeRegressor(n_estimators=2, random_state=7, **settings).fit(X, y)
    second = InceptionTimeRegressor(n_estimators=2, random_state=7, **settings).fit(X, y)
    np.testing.assert_array_equal(first.predict(X), second.predict(X))
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(first)).predict(X), first.predict(X))


def test_cross_val_score(regression_problem):
    """cross_val_score's R^2 per fold: the same as fitting a clone on each fold by hand."""
    X, y = regression_problem
    reg = make(InceptionTimeRegressor)
    folds = KFold(2, shuffle=True, random_state=0)
    scores = cross_val_score(reg, X, y, cv=folds, error_score="raise")
    by_hand = [r2_score(y[test], clone(reg).fit(X[train], y[train]).predict(X[test]))
               for train, test in folds.split(X)]
    np.testing.assert_allclose(scores, by_hand)


def test_nan_target_is_refused(regression_problem):
    X, y = regression_problem
    y = y.copy()
    y[3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        InceptionTimeRegressor(n_estimators=1, max_epochs=1).fit(X, y)


@pytest.mark.parametrize("cls", [InceptionNetworkRegressor, InceptionTimeRegressor])
@pytest.mark.parametrize("constant", [2.5e-6, -3.0, 7e7])
def test_a_constant_target_is_predicted_as_that_constant(regression_problem, cls, constant):
    """Its scale cannot be learned (the target scaler leaves it at 1): the networks'
    outputs, never exactly 0, would otherwise move it by up to about 1, far off a
    constant of 2.5e-6. Beside a target that varies, which is still learned; the
    constant's activation maps are 0."""
    X, y = regression_problem
    Y = np.column_stack([y, np.full(len(y), constant)])
    reg = make(cls, SMALL, max_epochs=3).fit(X, Y)
    predicted = reg.predict(X)
    # the target scaler's mean of the constant: exact but for float64 rounding
    np.testing.assert_allclose(predicted[:, 1], constant, rtol=1e-7)
    assert predicted[:, 0].std() > 0
    maps = reg.regression_activation_map(X[:3])
    assert not maps[:, 1].any() and maps[:, 0].any()
    one = make(cls, SMALL).fit(X, np.full(len(y), constant))
    np.testing.assert_allclose(one.predict(X), constant, rtol=1e-7)


def test_a_warm_start_keeps_a_constant_target_constant(regression_problem):
    X, y = regression_problem
    reg = make(InceptionNetworkRegressor, warm_start=True).fit(X, np.full(len(y), 4.0))
    reg.fit(X, np.full(len(y), 4.0))  # the same constant: the network trains on
    with pytest.raises(ValueError, match=r"target\(s\) \[0\] were constant \(\[4.0\]\)"):
        reg.fit(X, y)
