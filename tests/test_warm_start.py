"""warm_start: an ensemble trains only its new members, a network continues from its weights."""

import warnings

import numpy as np
import pytest
import torch
from conftest import make
from sklearn.base import clone

from inceptionsk import (
    InceptionNetworkClassifier,
    InceptionNetworkRegressor,
    InceptionTimeClassifier,
    InceptionTimeRegressor,
    LITETimeClassifier,
)


@pytest.mark.parametrize("cls", [InceptionTimeClassifier, LITETimeClassifier])
def test_raising_n_estimators_trains_only_the_new_members(cls, gunpoint):
    X, y = gunpoint[:2]
    ensemble = make(cls, warm_start=True).fit(X, y)
    first = ensemble.estimators_[0]
    weights = {k: v.clone() for k, v in first.module_.state_dict().items()}
    ensemble.set_params(n_estimators=3).fit(X, y)
    assert len(ensemble.estimators_) == 3 and ensemble.estimators_[0] is first
    for name, tensor in first.module_.state_dict().items():
        assert torch.equal(tensor, weights[name]), name
    # the new members are those a fresh fit of 3 members trains: same seeds, same outputs
    fresh = make(cls, n_estimators=3).fit(X, y)
    assert ([m.random_state for m in ensemble.estimators_]
            == [m.random_state for m in fresh.estimators_])
    np.testing.assert_array_equal(ensemble.predict_proba(X), fresh.predict_proba(X))


def test_the_same_n_estimators_warns_and_fewer_raise(gunpoint):
    X, y = gunpoint[:2]
    ensemble = make(InceptionTimeClassifier, n_estimators=2, warm_start=True).fit(X, y)
    members = list(ensemble.estimators_)
    with pytest.warns(UserWarning, match="without increasing n_estimators"):
        ensemble.fit(X, y)
    assert all(a is b for a, b in zip(ensemble.estimators_, members, strict=True))
    with pytest.raises(ValueError, match=r"n_estimators=1 must be larger or equal to "
                                         r"len\(estimators_\)=2 when warm_start"):
        ensemble.set_params(n_estimators=1).fit(X, y)


def test_without_warm_start_fit_trains_afresh(gunpoint):
    X, y = gunpoint[:2]
    ensemble = make(InceptionTimeClassifier).fit(X, y)
    first = ensemble.estimators_[0]
    ensemble.set_params(n_estimators=2).fit(X, y)
    assert ensemble.estimators_[0] is not first and len(ensemble.estimators_) == 2


def conv_weights(estimator):
    return {k: v.clone() for k, v in estimator.module_.named_parameters()}


def test_a_network_continues_from_its_weights(gunpoint):
    X, y = gunpoint[:2]
    network = make(InceptionNetworkClassifier, warm_start=True).fit(X, y)
    before = conv_weights(network)
    # a learning rate too small to move the weights: they stay where the first fit left
    # them, where a fresh initialisation would not
    network.set_params(lr=1e-12).fit(X, y)
    after = conv_weights(network)
    for name, tensor in before.items():
        torch.testing.assert_close(after[name], tensor, rtol=0, atol=1e-8)
    # a new training: its own history, schedule and optimizer
    assert len(network.history_) == 1
    assert network.net_.optimizer_.param_groups[0]["lr"] == 1e-12
    cold = make(InceptionNetworkClassifier, lr=1e-12, random_state=1).fit(X, y)
    assert not torch.equal(conv_weights(cold)["fc.weight"], before["fc.weight"])


def test_warm_start_keeps_a_regressors_target_scaling(rng):
    X = rng.normal(size=(24, 1, 20)).astype(np.float32)
    y = X.mean(axis=(1, 2)) * 100
    reg = make(InceptionNetworkRegressor, warm_start=True).fit(X, y)
    mean = reg.target_scaler_.mean_.copy()
    reg.fit(X[:12], y[:12])
    np.testing.assert_array_equal(reg.target_scaler_.mean_, mean)


@pytest.mark.parametrize("cls", [InceptionNetworkClassifier, InceptionTimeClassifier])
def test_other_classes_get_sklearns_error(cls, gunpoint):
    X, y = gunpoint[:2]
    estimator = make(cls, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="same classes as in the previous call to fit"):
        estimator.fit(X, np.where(y == "1", "a", "b"))
    # a subset of the classes is other classes too
    with pytest.raises(ValueError, match=r"Previously got \['1' '2'\], `y` has \['1'\]"):
        estimator.fit(X[y == "1"], y[y == "1"])


@pytest.mark.parametrize("cls", [InceptionNetworkRegressor, InceptionTimeRegressor])
def test_other_targets_are_refused(cls, rng):
    X = rng.normal(size=(24, 1, 20)).astype(np.float32)
    estimator = make(cls, warm_start=True).fit(X, X.mean(axis=(1, 2)))
    with pytest.raises(ValueError, match="same number of targets.*Previously got 1"):
        estimator.fit(X, np.stack([X.mean(axis=(1, 2))] * 2, axis=1))


def test_other_channels_are_refused(gunpoint):
    X, y = gunpoint[:2]
    network = make(InceptionNetworkClassifier, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="channel"):
        network.fit(np.repeat(X, 2, axis=1), y)


def test_warm_start_survives_clone_and_does_not_warm_a_clone(gunpoint):
    X, y = gunpoint[:2]
    network = make(InceptionNetworkClassifier, warm_start=True).fit(X, y)
    copy = clone(network)
    assert copy.warm_start is True and not hasattr(copy, "net_")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        copy.fit(X, y)  # a first fit: nothing to start from
    assert len(copy.history_) == 1

