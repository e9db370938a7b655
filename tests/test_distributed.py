"""Members and grid searches run on a Dask cluster through joblib, as a user's cluster would."""

import numpy as np
import pytest
from conftest import SMALL, KillWorker
from joblib import parallel_config
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from inceptionsk import InceptionTimeClassifier

distributed = pytest.importorskip("distributed")

SETTINGS = dict(SMALL, max_epochs=3, device="cpu")


@pytest.fixture(scope="module")
def dask_client():
    """A real local cluster: 2 worker processes of 1 thread each."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        yield client


def test_ensemble_and_grid_search_on_dask_match_local(dask_client, basic_motions):
    X_train, y_train, X_test, _ = basic_motions
    clf = InceptionTimeClassifier(n_estimators=2, random_state=0, **SETTINGS)
    local = clf.fit(X_train, y_train).predict_proba(X_test)
    grid = {"n_filters": [4, 8]}
    search = GridSearchCV(clone(clf).set_params(n_estimators=1), grid, cv=2)
    search_local = search.fit(X_train, y_train).cv_results_["mean_test_score"]

    with parallel_config(backend="dask"):
        on_dask = clf.set_params(n_estimators=2, n_jobs=2).fit(X_train, y_train)
        on_dask = on_dask.predict_proba(X_test)
        search_dask = search.set_params(n_jobs=2).fit(X_train, y_train)

    assert len(dask_client.scheduler_info()["workers"]) == 2
    # Same seeds, same data: the workers' torch (1 thread) may sum in another order than
    # this process, so agreement is to float32 rounding, not bitwise.
    np.testing.assert_allclose(on_dask, local, atol=1e-5)
    np.testing.assert_allclose(search_dask.cv_results_["mean_test_score"], search_local)


def test_a_killed_dask_worker_is_replaced_and_its_member_trained_again(
        dask_client, basic_motions, tmp_path):
    """Dask, unlike joblib's process pool, survives a worker's death: its nanny starts a
    new worker and the scheduler runs the lost task again (up to its allowed_failures,
    3, before raising KilledWorker, which fit turns into a WorkerDiedError). The member
    is trained again from its seed, so the ensemble is the one fitted locally."""
    X_train, y_train, X_test, _ = basic_motions
    clf = InceptionTimeClassifier(n_estimators=2, random_state=0, **SETTINGS)
    local = clf.fit(X_train, y_train).predict_proba(X_test)
    marker = tmp_path / "killed"
    kill = KillWorker(clf.estimators_[1]._seed(), epoch=2, marker=str(marker))
    with parallel_config(backend="dask"):
        on_dask = clf.set_params(n_jobs=2, callbacks=[kill]).fit(X_train, y_train)
    assert marker.exists(), "a worker was killed"
    assert not on_dask.interrupted_ and len(on_dask.estimators_) == 2
    np.testing.assert_allclose(on_dask.predict_proba(X_test), local, atol=1e-5)
