"""A validation split and early stopping: off by default, one split per network, the best
validation epoch's weights kept, training stopped after ``n_iter_no_change`` epochs
without a lower validation loss (skorch's ValidSplit and EarlyStopping)."""

import warnings

import numpy as np
import pytest
from conftest import TINY
from skorch.callbacks import Callback

from inceptionsk import (
    InceptionNetworkClassifier,
    InceptionNetworkRegressor,
    InceptionTimeClassifier,
    TrainingInterruptedWarning,
    load,
)
from inceptionsk.training import ONE_CYCLE_PEAK

#: A learning rate at which the tiny network overfits GunPoint's validation split within
#: a few epochs, so that early stopping stops early.
OVERFIT = dict(TINY, lr=0.05, max_epochs=60, validation_fraction=0.2, n_iter_no_change=3)


@pytest.fixture(scope="module")
def data(gunpoint):
    X, y, _, _ = gunpoint
    return X, y


@pytest.fixture(scope="module")
def stopped(data):
    """A network that stopped early: (estimator, warnings raised by its fit)."""
    X, y = data
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf = InceptionNetworkClassifier(random_state=0, **OVERFIT).fit(X, y)
    return clf, caught


def split_of(estimator, X, y):
    """The (training, validation) case indices that the estimator's net held out (the
    split depends on the number of cases and the labels only)."""
    train, valid = estimator.net_.get_split_datasets(np.zeros(len(y)),
                                                     estimator._encode_known_target(y))
    return train.indices, valid.indices


def test_off_by_default(data):
    X, y = data
    clf = InceptionNetworkClassifier(max_epochs=2, random_state=0, **TINY).fit(X, y)
    assert clf.validation_fraction is None and clf.n_iter_no_change is None
    assert clf.net_.train_split is None
    assert "valid_loss" not in clf.history_[-1] and len(clf.history_) == 2
    assert sum(clf.history_[-1, "batches", :, "train_batch_size"]) == 50


def test_the_history_records_validation_loss_and_accuracy(data):
    X, y = data
    clf = InceptionNetworkClassifier(max_epochs=2, validation_fraction=0.2, random_state=0,
                                     **TINY).fit(X, y)
    last = clf.history_[-1]
    assert {"valid_loss", "valid_acc"} <= set(last)
    assert 0 <= last["valid_acc"] <= 1 and last["valid_loss"] > 0
    # 10 of the 50 cases validate, 40 train
    assert sum(clf.history_[-1, "batches", :, "valid_batch_size"]) == 10
    assert sum(clf.history_[-1, "batches", :, "train_batch_size"]) == 40
    # a regressor records the validation loss (its own scale: standardised targets)
    reg = InceptionNetworkRegressor(max_epochs=2, validation_fraction=0.2, random_state=0,
                                    **TINY).fit(X, X.std(axis=(1, 2)))
    assert "valid_loss" in reg.history_[-1] and "valid_acc" not in reg.history_[-1]


def test_each_member_holds_out_its_own_stratified_split(data):
    X, y = data
    params = dict(TINY, n_estimators=2, max_epochs=1, validation_fraction=0.2, random_state=0)
    ensemble = InceptionTimeClassifier(**params).fit(X, y)
    splits = [split_of(member, X, y) for member in ensemble.estimators_]
    for member, (train, valid) in zip(ensemble.estimators_, splits, strict=True):
        assert member.net_.train_split.random_state == member._seed()
        assert sorted([*train, *valid]) == list(range(50)) and len(valid) == 10
        # stratified: GunPoint's 24 and 26 cases of its classes give 5 and 5 of 10
        assert np.unique(y[valid], return_counts=True)[1].tolist() == [5, 5]
    assert set(splits[0][1]) != set(splits[1][1])
    # the same seeds hold out the same cases
    again = InceptionTimeClassifier(**params).fit(X, y)
    for member, (_, valid) in zip(again.estimators_, splits, strict=True):
        assert split_of(member, X, y)[1].tolist() == valid.tolist()


def test_early_stopping_stops_and_keeps_the_best_validation_epochs_weights(stopped, data):
    X, y = data
    clf, caught = stopped
    losses = np.asarray(clf.history_[:, "valid_loss"])
    assert len(losses) < OVERFIT["max_epochs"]
    assert clf.stopped_early_ and not clf.interrupted_
    assert not [w for w in caught if issubclass(w.category, TrainingInterruptedWarning)]
    # stopped after 3 epochs without a lower validation loss than the best
    best = int(np.argmin(losses))
    assert best == len(losses) - 1 - OVERFIT["n_iter_no_change"]
    assert clf.history_[:, "valid_loss_best"][-3:] == [False] * 3
    assert clf._kept_epoch() == best + 1
    # the estimator predicts with that epoch's weights: its validation loss, recomputed
    # from predict_proba, is the best one and not the last one
    _, valid = split_of(clf, X, y)
    proba = clf.predict_proba(X[valid])
    loss = -np.mean(np.log(proba[np.arange(len(valid)), clf._encode_known_target(y[valid])]))
    assert loss == pytest.approx(losses[best], abs=1e-5)
    assert abs(loss - losses[-1]) > 1e-3


def test_early_stopping_without_a_split_watches_the_training_loss(data):
    X, y = data
    clf = InceptionNetworkClassifier(
        random_state=0, **dict(OVERFIT, validation_fraction=None, n_iter_no_change=1, lr=0.2)
    ).fit(X, y)
    losses = np.asarray(clf.history_[:, "train_loss"])
    assert clf.stopped_early_ and len(losses) < OVERFIT["max_epochs"]
    assert "valid_loss" not in clf.history_[-1]
    assert losses[-1] >= losses[:-1].min()
    assert clf._kept_epoch() == int(np.argmin(losses)) + 1


def test_a_network_that_stopped_early_is_done(stopped, data):
    """resume trains it no further, also after save and load, and an ensemble's resume
    counts such a member as complete."""
    X, y = data
    clf, _ = stopped
    epochs = len(clf.history_)
    proba = clf.predict_proba(X)
    clf.resume(X, y)
    assert len(clf.history_) == epochs and not clf.interrupted_
    np.testing.assert_array_equal(clf.predict_proba(X), proba)
    ensemble = InceptionTimeClassifier(n_estimators=2, random_state=0, **OVERFIT).fit(X, y)
    lengths = [len(m.history_) for m in ensemble.estimators_]
    assert all(m.stopped_early_ for m in ensemble.estimators_)
    assert max(lengths) < OVERFIT["max_epochs"]
    ensemble.resume(X, y)
    assert [len(m.history_) for m in ensemble.estimators_] == lengths


def test_save_and_load_keep_the_split_the_weights_and_the_stop(stopped, data, tmp_path):
    X, y = data
    clf, _ = stopped
    clf.save(tmp_path / "model.pt")
    loaded = load(tmp_path / "model.pt")
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    assert loaded.history_[:, "valid_loss"] == clf.history_[:, "valid_loss"]
    assert loaded.stopped_early_
    assert split_of(loaded, X, y)[1].tolist() == split_of(clf, X, y)[1].tolist()
    loaded.resume(X, y)
    assert len(loaded.history_) == len(clf.history_)


class StopAt(Callback):
    """Ctrl-C at the end of epoch ``epoch`` of the first training."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            raise KeyboardInterrupt


def test_an_interrupted_validated_training_resumes_after_load(data, tmp_path):
    """Ctrl-C is no early stop: the saved model resumes on the same split, with the class
    weights, and the epochs it resumes record the validation loss too."""
    X, y = data
    params = dict(TINY, max_epochs=5, validation_fraction=0.2, class_weight="balanced",
                  random_state=0)
    clf = InceptionNetworkClassifier(callbacks=[StopAt(2)], **params)
    with pytest.warns(TrainingInterruptedWarning, match="the lowest validation loss so far"):
        clf.fit(X, y)
    assert clf.interrupted_ and not clf.stopped_early_
    with pytest.warns(UserWarning, match="callbacks not saved"):
        clf.save(tmp_path / "model.pt")
    loaded = load(tmp_path / "model.pt")
    clf.set_params(callbacks=None).resume(X, y)
    loaded.resume(X, y)
    assert len(loaded.history_) == 5 and not loaded.interrupted_
    assert all("valid_loss" in row for row in loaded.history_)
    assert split_of(loaded, X, y)[1].tolist() == split_of(clf, X, y)[1].tolist()
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize("n_cases", [50, 47])
def test_a_one_cycle_schedule_ends_its_cycle_on_the_training_split(data, n_cases):
    """The cycle spans the batches of the cases left to train on: its last batch takes the
    schedule's last, lowest rate (a cycle sized for all cases would stop short of it)."""
    X, y = data
    lr = 0.001
    clf = InceptionNetworkClassifier(max_epochs=3, lr=lr, lr_schedule="one_cycle",
                                     validation_fraction=0.3, random_state=0, **TINY)
    clf.fit(X[:n_cases], y[:n_cases])
    # the last epoch's batches: the training batches' (with their rates), then validation's
    last_rate = [batch["event_lr"] for batch in clf.history_[-1]["batches"]
                 if "event_lr" in batch][-1]
    # torch's OneCycleLR ends at max_lr / div_factor / final_div_factor (25 and 1e4)
    assert last_rate == pytest.approx(ONE_CYCLE_PEAK * lr / 25 / 1e4, rel=1e-6)


def test_series_of_unequal_lengths_with_weights_and_a_split(japanese_vowels):
    X, y, _, _ = japanese_vowels
    keep = np.concatenate([np.flatnonzero(y == label)[:6] for label in np.unique(y)])
    X, y = X[keep], y[keep]
    clf = InceptionNetworkClassifier(max_epochs=2, validation_fraction=0.33, random_state=0,
                                     class_weight="balanced", **TINY)
    clf.fit(list(X), y, sample_weight=np.linspace(0.5, 1.5, len(y)))
    assert "valid_loss" in clf.history_[-1]
    assert np.unique(y[split_of(clf, X, y)[1]], return_counts=True)[1].tolist() == [2] * 9


@pytest.mark.parametrize(("params", "n_cases", "message"), [
    (dict(validation_fraction=0.01), 50,
     "validation_fraction=0.01 splits the 50 training cases into 49 to train on and 1 to "
     "validate on; each part needs at least 2 (one per class)"),
    (dict(validation_fraction=0.5), 3,
     "validation_fraction=0.5 splits the 3 training cases into 1 to train on"),
])
def test_a_split_too_small_is_refused(data, params, n_cases, message):
    X, y = data
    if n_cases == 3:
        with pytest.raises(ValueError, match=message):
            InceptionNetworkRegressor(**TINY, **params).fit(X[:3], [0.0, 1.0, 2.0])
    else:
        with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
            InceptionNetworkClassifier(**TINY, **params).fit(X, y)


def test_a_class_of_one_case_cannot_be_stratified(data):
    X, y = data
    y = y.copy()
    y[0] = "3"
    with pytest.raises(ValueError, match=r"needs at least 2 cases of each class; y has only 1 "
                                         r"case of class\(es\) \['3'\]"):
        InceptionTimeClassifier(n_estimators=2, validation_fraction=0.2, **TINY).fit(X, y)
