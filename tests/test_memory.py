"""Bounded memory: scoring runs the network on chunks of ``batch_size`` cases, never on all
of X at once, and leaves nothing behind that grows with X."""

import os
import subprocess
import sys
import textwrap
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from conftest import make
from torch.nn.modules.module import register_module_forward_hook

from inceptionsk import InceptionNetworkRegressor, InceptionTimeClassifier
from inceptionsk.network import GlobalPoolingNetwork


@contextmanager
def _record_scoring_batches():
    """Sizes of the batches the scoring networks see (a global torch forward hook on
    the networks of :mod:`inceptionsk.network`, whose top level scoring calls once a chunk)."""
    sizes = []

    def record(module, args, output):
        if isinstance(module, GlobalPoolingNetwork):
            sizes.append(args[0].shape[0])

    handle = register_module_forward_hook(record)
    try:
        yield sizes
    finally:
        handle.remove()


def test_scoring_20000_series_holds_one_chunk_of_activations_at_a_time():
    rng = np.random.RandomState(0)
    X_train = rng.normal(size=(32, 1, 200)).astype(np.float32)
    clf = make(InceptionTimeClassifier, n_estimators=2, batch_size=64)
    clf.fit(X_train, np.tile([0, 1], 16))
    X = np.random.default_rng(0).standard_normal((20_000, 1, 200), dtype=np.float32)
    with _record_scoring_batches() as sizes:
        proba = clf.predict_proba(X)
    assert proba.shape == (20_000, 2) and np.isfinite(proba).all()
    # per member, ceil(20000 / 64) forward calls of exactly 64 cases (the last padded)
    assert sizes == [64] * 313 * 2
    # chunking changes nothing: a slice scored on its own gets the same probabilities
    np.testing.assert_array_equal(clf.predict_proba(X[12_345:12_350]), proba[12_345:12_350])


def test_the_regressor_scores_in_chunks_too():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 2, 50)).astype(np.float32)
    reg = make(InceptionNetworkRegressor, batch_size=32).fit(X[:40], X[:40, 0].mean(axis=1))
    with _record_scoring_batches() as sizes:
        assert reg.predict(X).shape == (300,)
    assert sizes == [32] * 10


def test_peak_memory_of_scoring_does_not_grow_with_the_number_of_cases():
    """Peak RSS measured in a fresh process: scoring 20,000 x 1 x 200 (15 MB of float32)
    adds less than 20 MB. Keeping each chunk's small torch output alive between the large
    activation buffers added 60 MB here (700 MB for 20,000 x 1 x 1,000)."""
    code = textwrap.dedent("""
        import resource
        import numpy as np, torch
        torch.set_num_threads(1)
        from inceptionsk import InceptionNetworkClassifier
        X = np.empty((20_000, 1, 200), dtype=np.float32)
        np.random.default_rng(0).standard_normal(out=X, dtype=np.float32)
        clf = InceptionNetworkClassifier(n_filters=4, depth=3, batch_size=64, max_epochs=1,
                                         device="cpu", random_state=0)
        clf.fit(X[:64], np.tile([0, 1], 32)).predict_proba(X[:64])
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        clf.predict_proba(X)
        print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)
    """)
    root = Path(__file__).resolve().parents[1]
    path = os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])
    env = dict(os.environ, PYTHONPATH=path)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, check=True)
    added_mb = float(result.stdout.split()[-1])
    assert added_mb < 20, f"scoring added {added_mb:.0f} MB of peak RSS"
