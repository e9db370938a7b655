"""Nothing lost: Ctrl-C during fit keeps the epochs and members trained, and resume finishes.

The interrupt is a real ``KeyboardInterrupt`` raised from a skorch callback inside the
training loop, where Ctrl-C lands; nothing of skorch or torch is mocked.
"""

import pickle
import re
import warnings

import numpy as np
import pytest
from conftest import TINY
from sklearn.exceptions import NotFittedError
from skorch.callbacks import Callback, EarlyStopping

from inceptionsk import (
    InceptionNetworkClassifier,
    InceptionNetworkRegressor,
    InceptionTimeClassifier,
    TrainingInterruptedWarning,
)

#: Trainings started (a fit or a resume of one network), counted across the copies that
#: sklearn's clone makes of the callback.
STARTED = []


class Interrupt(Callback):
    """Raise KeyboardInterrupt, as Ctrl-C does, in training number ``training`` (1 is the
    first started in the test; None: every one) during epoch ``epoch``: after ``batch``
    batches of it, or at its end when ``batch`` is None."""

    def __init__(self, epoch, batch=None, training=1):
        self.epoch = epoch
        self.batch = batch
        self.training = training

    def on_train_begin(self, net, **kwargs):
        STARTED.append(net)

    def _now(self, net):
        return self.training in (None, len(STARTED)) and len(net.history) == self.epoch

    def on_batch_end(self, net, **kwargs):
        if self.batch is not None and self._now(net) and \
                len(net.history[-1]["batches"]) == self.batch:
            raise KeyboardInterrupt

    def on_epoch_end(self, net, **kwargs):
        if self.batch is None and self._now(net):
            raise KeyboardInterrupt


@pytest.fixture(autouse=True)
def no_trainings_yet():
    STARTED.clear()


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 1, 24)).astype(np.float32)
    y = np.tile(["a", "b"], 20)
    X[y == "b", :, 8:14] += 1
    return X, y


def test_a_network_interrupted_mid_epoch_keeps_the_epochs_completed(data):
    X, y = data
    clf = InceptionNetworkClassifier(
        max_epochs=6, random_state=0, callbacks=[Interrupt(epoch=4, batch=2)], **TINY
    )
    with pytest.warns(TrainingInterruptedWarning) as record:
        clf.fit(X, y)
    kept = dict(clf.net_.callbacks_)["keep_best"].best_epoch_
    assert str(record[0].message) == (
        f"InceptionNetworkClassifier: training interrupted after 3 of 6 epochs. Kept the "
        f"weights of epoch {kept}, the lowest training loss so far; the estimator is fitted "
        "and can predict. Call resume(X, y) with the same data to train the remaining 3 "
        "epochs."
    )
    assert clf.interrupted_
    # the epoch cut short leaves no row: the history reads as three whole epochs
    assert clf.history_[:, "epoch"] == [1, 2, 3]
    assert len(clf.history_[:, "train_loss"]) == 3
    # exactly what three uninterrupted epochs give, weights and predictions
    three = InceptionNetworkClassifier(max_epochs=3, random_state=0, **TINY).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), three.predict_proba(X))
    assert np.isfinite(clf.predict_proba(X)).all()


def test_resume_trains_the_remaining_epochs(data):
    X, y = data
    clf = InceptionNetworkClassifier(
        max_epochs=5, random_state=0, callbacks=[Interrupt(epoch=2)], **TINY
    )
    with pytest.warns(TrainingInterruptedWarning, match="after 2 of 5 epochs"):
        clf.fit(X, y)
    before = clf.predict_proba(X)
    clf.resume(X, y)
    assert not clf.interrupted_
    assert clf.history_[:, "epoch"] == [1, 2, 3, 4, 5]
    assert not np.array_equal(clf.predict_proba(X), before)
    # done: resuming again trains nothing; a larger max_epochs trains that many more
    clf.resume(X, y)
    assert len(clf.history_) == 5
    clf.set_params(max_epochs=7).resume(X, y)
    assert clf.history_[:, "epoch"] == [1, 2, 3, 4, 5, 6, 7]


class RecordLearningRate(Callback):
    """Record the learning rate at the end of every epoch in the history."""

    def on_epoch_end(self, net, **kwargs):
        net.history.record("lr_at_end", net.optimizer_.param_groups[0]["lr"])


def test_a_resumed_one_cycle_schedule_goes_on_where_it_stopped(data):
    """The one-cycle rate of a resumed training follows the uninterrupted schedule (and
    anneals to nearly zero), instead of starting a new cycle."""
    X, y = data
    settings = dict(max_epochs=6, lr_schedule="one_cycle", random_state=0, **TINY)
    whole = InceptionNetworkClassifier(callbacks=[RecordLearningRate()], **settings)
    expected = whole.fit(X, y).history_[:, "lr_at_end"]
    clf = InceptionNetworkClassifier(
        callbacks=[RecordLearningRate(), Interrupt(epoch=3)], **settings)
    with pytest.warns(TrainingInterruptedWarning):
        clf.fit(X, y)
    clf.set_params(callbacks=[RecordLearningRate()]).resume(X, y)
    np.testing.assert_allclose(clf.history_[:, "lr_at_end"], expected, rtol=1e-6)
    assert expected[-1] < 0.01 * max(expected)


def test_a_regressor_resumes_with_its_target_scaling(data):
    X, _ = data
    y = X[:, 0].mean(axis=1) * 1e3
    reg = InceptionNetworkRegressor(max_epochs=4, random_state=0, callbacks=[Interrupt(epoch=1)],
                                    **TINY)
    with pytest.warns(TrainingInterruptedWarning, match="after 1 of 4 epochs"):
        reg.fit(X, y)
    scale = reg.target_scaler_.scale_.copy()
    reg.resume(X, y)
    assert len(reg.history_) == 4
    np.testing.assert_array_equal(reg.target_scaler_.scale_, scale)
    with pytest.raises(ValueError, match="y has 2 targets, but InceptionNetworkRegressor was "
                                         "fitted on 1; resume with the data given to fit"):
        reg.set_params(max_epochs=5).resume(X, np.column_stack([y, y]))


def test_an_interrupt_before_one_epoch_keeps_nothing_and_stops_the_caller(data):
    X, y = data
    clf = InceptionNetworkClassifier(max_epochs=3, callbacks=[Interrupt(epoch=1, batch=1)],
                                     **TINY)
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    with pytest.raises(NotFittedError):
        clf.predict(X)
    STARTED.clear()
    ensemble = InceptionTimeClassifier(n_estimators=2, max_epochs=3,
                                       callbacks=[Interrupt(epoch=1, batch=1)], **TINY)
    with pytest.raises(KeyboardInterrupt):
        ensemble.fit(X, y)
    with pytest.raises(NotFittedError):
        ensemble.predict(X)


def test_an_interrupted_ensemble_keeps_its_members_and_starts_no_other(data):
    X, y = data
    clf = InceptionTimeClassifier(
        n_estimators=3, max_epochs=4, random_state=0,
        callbacks=[Interrupt(epoch=3, batch=1, training=2)], **TINY,
    )
    with pytest.warns(TrainingInterruptedWarning) as record:
        clf.fit(X, y)
    assert len(STARTED) == 2, "no member may start after the interrupt"
    first, second = clf.estimators_
    assert len(record) == 1, "one report for the ensemble, none from its members"
    assert str(record[0].message) == (
        f"InceptionTimeClassifier: training interrupted. Kept 2 of 3 members: member 0 "
        f"(random_state={first.random_state}) 4 of 4 epochs; member 1 (random_state="
        f"{second.random_state}) 2 of 4 epochs, weights of its epoch {second._kept_epoch()}. "
        "The ensemble is fitted and predicts with these members. Call resume(X, y) with the "
        "same data to finish training."
    )
    assert clf.interrupted_ and not first.interrupted_ and second.interrupted_
    np.testing.assert_allclose(
        clf.predict_proba(X), (first.predict_proba(X) + second.predict_proba(X)) / 2
    )
    # the ensemble still pickles as is
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(clf)).predict(X), clf.predict(X))

    clf.resume(X, y)
    assert not clf.interrupted_
    assert [len(m.history_) for m in clf.estimators_] == [4, 4, 4]
    # the members fit would have trained: same seeds, and bitwise the same networks for
    # those the interrupt did not touch
    uninterrupted = InceptionTimeClassifier(n_estimators=3, max_epochs=4, random_state=0,
                                            **TINY).fit(X, y)
    assert [m.random_state for m in clf.estimators_] == \
        [m.random_state for m in uninterrupted.estimators_]
    for i in (0, 2):
        np.testing.assert_array_equal(clf.estimators_[i].predict_proba(X),
                                      uninterrupted.estimators_[i].predict_proba(X))


def test_an_early_stopping_callback_is_no_interrupt(data):
    """skorch's EarlyStopping stops training with a KeyboardInterrupt too: that ending is
    the user's choice, so every member trains and nothing is reported."""
    X, y = data
    # a threshold no loss can beat: each network stops after 2 epochs
    stop = EarlyStopping(monitor="train_loss", patience=1, threshold=1e9, threshold_mode="abs",
                         load_best=False)
    clf = InceptionTimeClassifier(n_estimators=2, max_epochs=5, random_state=0,
                                  callbacks=[stop], **TINY)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingInterruptedWarning)
        clf.fit(X, y)
    assert [len(m.history_) for m in clf.estimators_] == [2, 2]
    assert not clf.interrupted_


def test_with_process_workers_the_members_returned_are_kept(data):
    """n_jobs=2: a member interrupted in its worker comes back, the ensemble keeps what has
    returned, stops the other worker's task, and resume completes it."""
    X, y = data
    clf = InceptionTimeClassifier(n_estimators=3, max_epochs=3, random_state=0, n_jobs=2,
                                  callbacks=[Interrupt(epoch=2, training=None)], **TINY)
    with pytest.warns(TrainingInterruptedWarning, match=re.escape("2 of 3 epochs")):
        clf.fit(X, y)
    assert 1 <= len(clf.estimators_) < 3
    assert all(len(m.history_) == 2 for m in clf.estimators_)
    # joblib stopped the workers; resuming in this process saves starting new ones
    clf.set_params(callbacks=None, n_jobs=1).resume(X, y)
    assert [len(m.history_) for m in clf.estimators_] == [3, 3, 3]
