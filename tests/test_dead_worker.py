"""A worker process killed (SIGKILL, as the out-of-memory killer does) while an ensemble
trains: fit raises a WorkerDiedError naming the member at once, keeps the members that
had finished, and resume trains the rest as an uninterrupted fit would.

The kill is real: a skorch callback sends SIGKILL to its own worker process when the
member of a given seed reaches a given epoch, once per test (a file marks it done).
"""

import re
import time

import numpy as np
import pytest
from conftest import TINY, KillWorker

from inceptionsk import InceptionTimeClassifier, WorkerDiedError


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(32, 1, 24)).astype(np.float32)
    y = np.tile(["a", "b"], 16)
    X[y == "b", :, 8:14] += 1
    return X, y


SETTINGS = dict(TINY, n_estimators=4, max_epochs=3, random_state=0, n_jobs=2)


@pytest.fixture(scope="module")
def uninterrupted(data):
    """The ensemble fitted without a kill, by the same kind of workers."""
    return InceptionTimeClassifier(**SETTINGS).fit(*data)


def _torch_seed(member):
    return member._seed()


def test_a_killed_worker_raises_keeps_the_finished_members_and_resume_ends_the_fit(
        data, uninterrupted, tmp_path):
    X, y = data
    victim = 2  # starts once member 0 or 1 has returned
    reference = {m.random_state: m for m in uninterrupted.estimators_}
    seed = uninterrupted.estimators_[victim].random_state
    marker = tmp_path / "killed"
    clf = InceptionTimeClassifier(
        **SETTINGS, callbacks=[KillWorker(_torch_seed(uninterrupted.estimators_[victim]),
                                          epoch=2, marker=str(marker))],
    )
    with pytest.raises(WorkerDiedError) as raised:
        clf.fit(X, y)
    took = time.time() - float(marker.read_text())
    message = str(raised.value)
    assert message.startswith(
        f"InceptionTimeClassifier: a worker process died while it trained member {victim} "
        f"(random_state={seed}) (TerminatedWorkerError: A worker process managed by the "
        "executor was unexpectedly terminated."
    ), message
    assert "SIGKILL" in message
    assert took < 15, f"fit raised {took:.1f} s after the kill"
    kept = [m.random_state for m in clf.estimators_]
    assert re.search(rf"kept the {len(kept)} of 4 members that had finished", message)
    assert clf.interrupted_ and seed not in kept and 0 < len(kept) < 4
    assert all(len(m.history_) == 3 for m in clf.estimators_)

    clf.set_params(callbacks=None).resume(X, y)
    assert not clf.interrupted_
    assert sorted(m.random_state for m in clf.estimators_) == sorted(reference)
    for member in clf.estimators_:
        np.testing.assert_array_equal(member.predict_proba(X),
                                      reference[member.random_state].predict_proba(X))
    np.testing.assert_allclose(clf.predict_proba(X), uninterrupted.predict_proba(X),
                               rtol=0, atol=1e-6)


def test_a_worker_killed_before_any_member_finished_leaves_the_ensemble_unfitted(
        data, uninterrupted, tmp_path):
    X, y = data
    victim = uninterrupted.estimators_[0]
    clf = InceptionTimeClassifier(
        **dict(SETTINGS, n_estimators=2),
        callbacks=[KillWorker(_torch_seed(victim), epoch=1, marker=str(tmp_path / "k"),
                              hold_others=True)],
    )
    with pytest.raises(WorkerDiedError, match=(
        rf"a worker process died while it trained member 0 \(random_state="
        rf"{victim.random_state}\) \(TerminatedWorkerError: .*No member had finished: the "
        r"ensemble is not fitted\.$"
    )):
        clf.fit(X, y)
    assert not hasattr(clf, "estimators_")
