"""LITETime and H-InceptionTime as estimators, on real UCR/UEA data.

The machinery is InceptionTime's (tested there in depth); these tests check that the
other networks go through all of it: training that learns, unequal lengths, LITEMV on
multivariate data, saving, interrupts, and the frozen filters staying frozen.
"""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from inceptionsk import (
    InceptionNetworkClassifier,
    InceptionTimeClassifier,
    LITENetworkClassifier,
    LITENetworkRegressor,
    LITETimeClassifier,
    LITETimeRegressor,
    TrainingInterruptedWarning,
    load,
)
from inceptionsk.network import LITE, HybridLayer
from inceptionsk.network._hybrid import hand_crafted_filters


@pytest.fixture(scope="module")
def lite_gunpoint(gunpoint):
    X_train, y_train, _, _ = gunpoint
    # 60 epochs: at 40, GunPoint's test accuracy spread over 0.84-0.98 with seeds 0-4 on
    # an Intel Xeon (the CPU's arithmetic moves it); at 60 it was 0.987-1.000
    return LITETimeClassifier(n_estimators=2, max_epochs=60, lr_schedule="one_cycle",
                              random_state=0, device="cpu").fit(X_train, y_train)


def test_litetime_learns_gunpoint(lite_gunpoint, gunpoint):
    """Two LITE networks of 60 one-cycle epochs: 0.987-1.000 over seeds 0-4 (the paper:
    5 x 1500, 1.0)."""
    _, _, X_test, y_test = gunpoint
    assert lite_gunpoint.score(X_test, y_test) >= 0.95
    members = lite_gunpoint.estimators_
    assert [type(m) for m in members] == [LITENetworkClassifier] * 2
    assert all(isinstance(m.module_, LITE) for m in members)
    assert len({m.random_state for m in members}) == 2
    np.testing.assert_allclose(
        lite_gunpoint.predict_proba(X_test[:5]),
        np.mean([m.predict_proba(X_test[:5]) for m in members], axis=0),
    )


def test_the_parameters_reach_the_network(gunpoint):
    X_train, y_train, _, _ = gunpoint
    clf = LITENetworkClassifier(n_filters=8, kernel_size=12, max_epochs=1, random_state=0,
                                device="cpu").fit(X_train, y_train)
    net = clf.module_
    assert net.fc.in_features == 8
    assert [conv.kernel_size[0] for conv in net.convs] == [12, 6, 3]
    assert not net.use_litemv


def test_litemv_learns_basic_motions(basic_motions):
    """6 channels, 4 classes (chance 0.25): LITEMV's filters on each channel."""
    X_train, y_train, X_test, y_test = basic_motions
    clf = LITETimeClassifier(n_estimators=1, max_epochs=40, use_litemv=True, random_state=0,
                             device="cpu").fit(X_train, y_train)
    net = clf.estimators_[0].module_
    assert net.use_litemv and net.hybrid.out_channels == 17 * 6
    assert clf.score(X_test, y_test) >= 0.7


def test_unequal_lengths_with_lite(japanese_vowels):
    """JapaneseVowels (12 channels, 7-29 steps): a case scores the same alone as padded."""
    X_train, y_train, X_test, y_test = japanese_vowels
    clf = LITENetworkClassifier(max_epochs=15, kernel_size=12, random_state=0, device="cpu")
    clf.fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= 0.6, "9 classes: chance is 0.11"
    together = clf.predict_proba(list(X_test[:30]))
    for i in (0, 11, 29):
        np.testing.assert_allclose(clf.predict_proba(X_test[i][np.newaxis])[0], together[i],
                                   atol=1e-5)


def test_a_lite_regressor_learns_a_target(rng):
    """The level of the first channel under noise (R^2 0.93 on held-out cases)."""
    X = rng.normal(size=(120, 2, 40)).astype(np.float32)
    y = rng.normal(size=120).astype(np.float32)
    X[:, 0] += y[:, np.newaxis]
    reg = LITETimeRegressor(n_estimators=2, max_epochs=60, kernel_size=8, lr=0.01,
                            random_state=0, device="cpu").fit(X[:80], y[:80])
    assert reg.score(X[80:], y[80:]) > 0.8
    assert LITENetworkRegressor(max_epochs=1, device="cpu").fit(X, y).predict(X[:4]).shape == (4,)


def test_save_load_pickle_and_clone(lite_gunpoint, gunpoint, tmp_path):
    _, _, X_test, _ = gunpoint
    expected = lite_gunpoint.predict_proba(X_test)
    lite_gunpoint.save(tmp_path / "lite.pt")
    np.testing.assert_array_equal(load(tmp_path / "lite.pt").predict_proba(X_test), expected)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(lite_gunpoint)).predict_proba(X_test),
                                  expected)
    assert clone(lite_gunpoint).get_params() == lite_gunpoint.get_params()


def test_an_interrupted_lite_network_resumes(gunpoint):
    from skorch.callbacks import Callback

    class StopAtEpoch3(Callback):
        def on_epoch_end(self, net, **kwargs):
            if len(net.history) == 3:
                raise KeyboardInterrupt

    X_train, y_train, _, _ = gunpoint
    clf = LITENetworkClassifier(max_epochs=5, random_state=0, device="cpu",
                                callbacks=[StopAtEpoch3()])
    with pytest.warns(TrainingInterruptedWarning, match="3 of 5 epochs"):
        clf.fit(X_train, y_train)
    assert clf.interrupted_
    clf.set_params(callbacks=None).resume(X_train, y_train)
    assert len(clf.history_) == 5 and not clf.interrupted_


def test_a_grid_search_over_the_lite_variant(basic_motions):
    X_train, y_train, _, _ = basic_motions
    search = GridSearchCV(LITENetworkClassifier(max_epochs=3, random_state=0, device="cpu"),
                          {"use_litemv": [False, True]}, cv=2).fit(X_train, y_train)
    assert len(search.cv_results_["params"]) == 2
    assert search.best_estimator_.use_litemv == search.best_params_["use_litemv"]


@pytest.mark.parametrize("cls, params", [
    (InceptionNetworkClassifier, dict(use_custom_filters=True, depth=3, n_filters=8)),
    (LITENetworkClassifier, dict(use_litemv=True)),
])
def test_the_hand_crafted_filters_stay_frozen(cls, params, basic_motions):
    """The filters are buffers: not in the optimizer, no gradient, unchanged by fit, not
    in the state_dict (the constructor rebuilds them)."""
    X_train, y_train, _, _ = basic_motions
    clf = cls(max_epochs=3, random_state=0, device="cpu", **params).fit(X_train, y_train)
    layers = [m for m in clf.module_.modules() if isinstance(m, HybridLayer)]
    assert len(layers) == 1
    filters = layers[0].filters
    optimized = {id(p) for group in clf.net_.optimizer_.param_groups for p in group["params"]}
    assert id(filters) not in optimized and not filters.requires_grad
    assert not any(key.endswith("filters") for key in clf.module_.state_dict())
    expected = HybridLayer(6, per_channel=True).filters
    torch.testing.assert_close(filters, expected, rtol=0, atol=0)
    assert len(hand_crafted_filters()) * 6 == filters.shape[0]


def test_h_inceptiontime_is_inceptiontime_with_the_filters(basic_motions):
    X_train, y_train, X_test, y_test = basic_motions
    clf = InceptionTimeClassifier(n_estimators=1, max_epochs=20, depth=3, n_filters=16,
                                  use_custom_filters=True, random_state=0, device="cpu")
    clf.fit(X_train, y_train)
    first = clf.estimators_[0].module_.inceptionblock.inception[0]
    assert first.bn.num_features == 4 * 16 + 17 * 6
    assert clf.score(X_test, y_test) >= 0.7
