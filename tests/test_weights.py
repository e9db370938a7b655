"""Sample weights and class weights: what the weights do to the loss and to the model.

scikit-learn's check that a case of weight 2 trains the model a duplicated case trains
cannot hold for shuffled mini-batch training (tests/test_common.py says why); these
tests check what weights do instead: unit weights change nothing, a batch's loss is the
weighted mean of its cases' losses, heavy weights pull the predictions toward their
cases, and balanced class weights raise the recall of a rare class.
"""

import numpy as np
import pytest
import sklearn
import torch
import torch.nn.functional as F
from conftest import SMALL, TINY
from sklearn.metrics import recall_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from inceptionsk import (
    InceptionNetworkClassifier,
    InceptionNetworkRegressor,
    InceptionTimeClassifier,
    InceptionTimeRegressor,
    SeriesStandardScaler,
)

#: conftest's TINY network, trained for three epochs.
THREE_EPOCHS = dict(TINY, max_epochs=3)


@pytest.fixture(scope="module")
def data(gunpoint):
    X, y, _, _ = gunpoint
    return X, y


@pytest.mark.parametrize("cls", [InceptionNetworkClassifier, InceptionTimeClassifier,
                                 InceptionNetworkRegressor, InceptionTimeRegressor])
def test_unit_weights_train_the_model_no_weights_train(cls, data):
    X, y = data
    if cls._regression:
        y = X.std(axis=(1, 2))
    params = dict(THREE_EPOCHS, random_state=0,
                  **({"n_estimators": 2} if "Time" in cls.__name__ else {}))
    plain = cls(**params).fit(X, y)
    method = "predict" if cls._regression else "predict_proba"
    expected = getattr(plain, method)(X)
    for weights in (np.ones(len(X)), np.full(len(X), 3.5), [1] * len(X)):
        weighted = cls(**params).fit(X, y, sample_weight=weights)
        np.testing.assert_allclose(getattr(weighted, method)(X), expected, rtol=0, atol=1e-6)


def test_equal_weights_through_the_weighted_loss_train_the_same_model(data):
    """Equal weights skip the weighting (validate_sample_weight returns None); passed to
    the weighted loss itself, they give the plain mean up to float32 rounding, which
    three epochs of training leave below 1e-6 in the probabilities."""
    X, y = data
    plain = InceptionNetworkClassifier(random_state=0, **THREE_EPOCHS).fit(X, y)
    weighted = InceptionNetworkClassifier(random_state=0, **THREE_EPOCHS)
    weighted.fit(X, y)  # the layout attributes of a fitted estimator
    weighted._fit_validated(X, None, y, np.full(len(X), 0.25, dtype=np.float32))
    assert len(weighted.history_) == 3
    np.testing.assert_allclose(weighted.predict_proba(X), plain.predict_proba(X),
                               rtol=0, atol=1e-6)


@pytest.mark.parametrize("cls", [InceptionNetworkClassifier, InceptionNetworkRegressor])
def test_a_batch_loss_is_the_weighted_mean_of_its_cases_losses(cls, data):
    X, y = data
    if cls._regression:
        y = np.c_[X.std(axis=(1, 2)), X.mean(axis=(1, 2))]  # two targets: a case's loss
    model = cls(random_state=0, **dict(THREE_EPOCHS, max_epochs=1)).fit(X, y)  # is their mean
    net = model.net_
    batch = slice(3, 19)
    weights = np.random.RandomState(0).uniform(0, 4, size=16).astype(np.float32)
    inputs = {"x": torch.from_numpy(X[batch]), "sample_weight": torch.from_numpy(weights)}
    targets = torch.from_numpy(model._encode_known_target(y[batch]))
    with torch.no_grad():
        outputs = net.infer(inputs)
        loss = net.get_loss(outputs, targets, X=inputs)
        if cls._regression:
            by_hand = F.mse_loss(outputs, targets, reduction="none").mean(dim=1)
        else:
            by_hand = F.cross_entropy(outputs, targets, reduction="none")
    assert loss.ndim == 0
    np.testing.assert_allclose(loss.item(), np.average(by_hand.numpy(), weights=weights),
                               rtol=1e-6)
    # without weights, the plain mean
    with torch.no_grad():
        plain = net.get_loss(outputs, targets, X=inputs["x"])
    np.testing.assert_allclose(plain.item(), by_hand.mean().item(), rtol=1e-6)


def test_a_batch_of_zero_weights_counts_for_nothing(data):
    """A batch whose cases all weigh 0 has a loss of 0 (not 0 / 0): training on weights
    that are mostly zero stays finite."""
    X, y = data
    model = InceptionNetworkClassifier(random_state=0, **dict(THREE_EPOCHS, max_epochs=1)).fit(X, y)
    inputs = {"x": torch.from_numpy(X[:8]), "sample_weight": torch.zeros(8)}
    targets = torch.from_numpy(model._encode_known_target(y[:8]))
    outputs = model.net_.infer(inputs)
    loss = model.net_.get_loss(outputs, targets, X=inputs)
    loss.backward()
    assert loss.item() == 0
    assert all(torch.isfinite(p.grad).all() for p in model.net_.module_.parameters())
    weights = np.zeros(len(X))
    weights[:5] = 1.0  # most batches hold no case of weight > 0
    model = InceptionNetworkClassifier(random_state=0, **THREE_EPOCHS)
    model.fit(X, y, sample_weight=weights)
    assert np.isfinite(model.predict_proba(X)).all()


def test_heavy_weights_on_one_class_move_the_predictions_toward_it(gunpoint):
    """Measured for random_state 0 to 3: the mean probability of class "1" on the test
    split was 0.46-0.50 without weights and 0.88-0.90 with weight 20 on its cases."""
    X, y, X_test, _ = gunpoint
    params = dict(THREE_EPOCHS, n_estimators=2, max_epochs=5, lr=0.01, random_state=0)
    plain = InceptionTimeClassifier(**params).fit(X, y)
    heavy = InceptionTimeClassifier(**params).fit(X, y, sample_weight=np.where(y == "1", 20, 1))
    share = {name: model.predict_proba(X_test)[:, 0].mean()
             for name, model in (("plain", plain), ("heavy", heavy))}
    assert share["heavy"] > share["plain"] + 0.2, share
    # and the same through class_weight
    by_class = InceptionTimeClassifier(class_weight={"1": 20}, **params).fit(X, y)
    np.testing.assert_allclose(by_class.predict_proba(X_test), heavy.predict_proba(X_test),
                               rtol=0, atol=1e-6)


def test_heavy_weights_pull_a_regressors_predictions_toward_their_targets():
    """Targets the series cannot explain (noise): the network learns their weighted mean,
    which heavy weights on the cases of positive target move up."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(64, 1, 30)).astype(np.float32)
    y = rng.normal(size=64)
    params = dict(THREE_EPOCHS, max_epochs=10, lr=0.01, random_state=0)
    plain = InceptionNetworkRegressor(**params).fit(X, y).predict(X).mean()
    heavy = InceptionNetworkRegressor(**params).fit(
        X, y, sample_weight=np.where(y > 0, 10.0, 1.0)).predict(X).mean()
    weighted_mean = np.average(y, weights=np.where(y > 0, 10.0, 1.0))
    assert heavy > plain + 0.3 * (weighted_mean - y.mean()), (plain, heavy, weighted_mean)


def test_balanced_class_weight_raises_the_recall_of_a_rare_class(gunpoint):
    """GunPoint's training split with only 6 of its 24 cases of class "1": unweighted, the
    network predicts the other class for (nearly) every test case of class "1".

    Measured with these settings for random_state 0 to 4: the recall of class "1" was 0.0
    for every seed without weights and 0.75 to 0.96 with "balanced".
    """
    X, y, X_test, y_test = gunpoint
    rare = np.random.RandomState(0).choice(np.flatnonzero(y == "1"), 6, replace=False)
    keep = np.concatenate([np.flatnonzero(y == "2"), rare])
    params = dict(SMALL, max_epochs=30, lr_schedule="one_cycle", random_state=0)
    recall = {
        weight: recall_score(y_test, InceptionNetworkClassifier(class_weight=weight, **params)
                             .fit(X[keep], y[keep]).predict(X_test), pos_label="1")
        for weight in (None, "balanced")
    }
    assert recall["balanced"] > recall[None] + 0.4, recall


def test_balanced_is_sklearns_compute_class_weight_times_sample_weight(data):
    X, y = data
    clf = InceptionNetworkClassifier(class_weight="balanced", **THREE_EPOCHS)
    clf._check_target(y)
    targets = np.searchsorted(clf.classes_, y)
    weights = clf._case_weights(targets, None)
    n_1 = np.count_nonzero(y == "1")
    np.testing.assert_allclose(weights, np.where(y == "1", 50 / (2 * n_1), 50 / (2 * (50 - n_1))),
                               rtol=1e-6)
    sample_weight = np.linspace(0.5, 2, len(y)).astype(np.float32)
    np.testing.assert_allclose(clf._case_weights(targets, sample_weight),
                               weights * sample_weight, rtol=1e-6)


def test_an_ensemble_gives_its_members_the_weights(data):
    X, y = data
    weights = np.where(y == "1", 4.0, 1.0)
    ensemble = InceptionTimeClassifier(n_estimators=2, random_state=0, **THREE_EPOCHS)
    ensemble.fit(X, y, sample_weight=weights)
    for member in ensemble.estimators_:
        alone = InceptionNetworkClassifier(random_state=member.random_state, **THREE_EPOCHS)
        alone.fit(X, y, sample_weight=weights)
        np.testing.assert_array_equal(alone.predict_proba(X), member.predict_proba(X))


def test_weights_and_a_split_with_n_jobs_2_agree_with_n_jobs_1(data):
    """Members trained in joblib's worker processes get the same weights and hold out the
    same validation splits (see test_determinism.py for why the tolerance is 1e-6 rather
    than 0)."""
    X, y = data
    params = dict(THREE_EPOCHS, n_estimators=2, random_state=0, class_weight={"2": 3.0},
                  validation_fraction=0.2)
    weights = np.linspace(0.2, 1.0, len(X))
    one = InceptionTimeClassifier(n_jobs=1, **params).fit(X, y, sample_weight=weights)
    two = InceptionTimeClassifier(n_jobs=2, **params).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(two.predict_proba(X), one.predict_proba(X), rtol=0, atol=1e-6)
    for first, second in zip(one.estimators_, two.estimators_, strict=True):
        np.testing.assert_allclose(second.history_[:, "valid_loss"],
                                   first.history_[:, "valid_loss"], rtol=1e-5)


def test_routed_through_a_pipeline_and_a_grid_search(data):
    """With metadata routing, set_fit_request(sample_weight=True) sends the weights given
    to Pipeline.fit and GridSearchCV.fit to the estimator's fit."""
    X, y = data
    weights = np.where(y == "1", 5.0, 1.0)
    direct = make_pipeline(
        SeriesStandardScaler(), InceptionNetworkClassifier(random_state=0, **THREE_EPOCHS)
    ).fit(X, y, inceptionnetworkclassifier__sample_weight=weights)
    unweighted = InceptionNetworkClassifier(random_state=0, **THREE_EPOCHS).fit(
        SeriesStandardScaler().fit_transform(X), y)
    assert np.abs(direct.predict_proba(X) - unweighted.predict_proba(
        SeriesStandardScaler().fit_transform(X))).max() > 1e-3  # the weights matter here
    with sklearn.config_context(enable_metadata_routing=True):
        clf = InceptionNetworkClassifier(random_state=0, **THREE_EPOCHS)
        clf.set_fit_request(sample_weight=True).set_score_request(sample_weight=False)
        routed = make_pipeline(SeriesStandardScaler(), clf).fit(X, y, sample_weight=weights)
        np.testing.assert_array_equal(routed.predict_proba(X), direct.predict_proba(X))
        search = GridSearchCV(clf, {"lr": [0.001, 0.01]}, cv=2, refit=True)
        search.fit(X, y, sample_weight=weights)
        best = InceptionNetworkClassifier(random_state=0,
                                          **dict(THREE_EPOCHS, **search.best_params_))
        np.testing.assert_array_equal(
            search.predict_proba(X), best.fit(X, y, sample_weight=weights).predict_proba(X))


@pytest.mark.parametrize(("weights", "message"), [
    (np.ones(3), "sample_weight has shape (3,), but X has 50 cases"),
    (np.r_[-1.0, np.ones(49)], "sample_weight holds 1 negative, NaN or infinite weight(s)"),
    (np.zeros(50), "sample_weight is zero for every case"),
])
def test_bad_sample_weights_are_refused(data, weights, message):
    X, y = data
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        InceptionNetworkClassifier(**THREE_EPOCHS).fit(X, y, sample_weight=weights)


@pytest.mark.parametrize(("class_weight", "message"), [
    ({"9": 2.0}, r"class_weight names classes not in y: \['9'\]; the classes are \['1', '2'\]"),
    ({"1": -1.0}, r"class_weight must map classes to finite weights >= 0, got \{'1': -1.0\}"),
    ({"1": 0, "2": 0}, "give every training case a weight of 0"),
])
def test_bad_class_weights_are_refused_before_training(data, class_weight, message):
    X, y = data
    clf = InceptionTimeClassifier(n_estimators=2, class_weight=class_weight, **THREE_EPOCHS)
    with pytest.raises(ValueError, match=message):
        clf.fit(X, y)
    assert not hasattr(clf, "estimators_")
