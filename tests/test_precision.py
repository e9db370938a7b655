"""``precision="bfloat16"``: training under autocast, everything else in float32."""

import platform
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import CLASSIFIERS, ESTIMATORS, GUNPOINT, TINY, make
from skorch.callbacks import Callback

import inceptionsk
from inceptionsk import (
    InceptionNetworkClassifier,
    InceptionTimeClassifier,
    LITENetworkClassifier,
    LITETimeClassifier,
    LITETimeRegressor,
)
from inceptionsk.exceptions import EmulatedPrecisionWarning
from inceptionsk.training import cpu_has_bfloat16_kernels

#: The dtypes of the linear head's outputs in the training forwards since the last clear():
#: module-level, as the estimators copy their callbacks.
HEAD_DTYPES = []


class HeadDtypes(Callback):
    """Records the dtype of the linear head's output in every training forward."""

    def on_train_begin(self, net, **kwargs):
        self.handle = net.module_.fc.register_forward_hook(
            lambda module, inputs, output: HEAD_DTYPES.append(output.dtype)
        )

    def on_train_end(self, net, **kwargs):
        self.handle.remove()


def fit_with_recorder(cls, X, y, **params):
    HEAD_DTYPES.clear()
    estimator = make(cls, max_epochs=2, callbacks=[HeadDtypes()], **params).fit(X, y)
    return estimator, set(HEAD_DTYPES)


@pytest.mark.parametrize("cls", [*ESTIMATORS, LITENetworkClassifier, LITETimeRegressor])
def test_bfloat16_trains_in_bfloat16_and_keeps_float32_weights(cls, gunpoint):
    X, y, _, _ = gunpoint
    classifier = cls in CLASSIFIERS or cls is LITENetworkClassifier
    target = y if classifier else (y == "1").astype(float)
    estimator, dtypes = fit_with_recorder(cls, X[:20], target[:20], precision="bfloat16")
    assert dtypes == {torch.bfloat16}
    members = getattr(estimator, "estimators_", [estimator])
    for member in members:
        assert all(p.dtype == torch.float32 for p in member.module_.parameters())
        assert np.isfinite(member.history_[:, "train_loss"]).all()
    assert estimator.predict(X[:5]).shape == (5,)


def test_float32_is_the_default_and_uses_no_autocast(gunpoint):
    X, y, _, _ = gunpoint
    estimator, dtypes = fit_with_recorder(InceptionNetworkClassifier, X[:20], y[:20])
    assert estimator.precision == "float32"
    assert dtypes == {torch.float32}


def test_the_loss_is_computed_in_float32(gunpoint):
    """The head's bfloat16 logits come back in float32 before the loss."""
    X, y, _, _ = gunpoint
    estimator = make(InceptionNetworkClassifier, precision="bfloat16").fit(X[:20], y[:20])
    logits = estimator.net_.infer(torch.from_numpy(X[:4]))
    assert logits.dtype == torch.float32
    loss = estimator.net_.get_loss(logits, torch.zeros(4, dtype=torch.long))
    assert loss.dtype == torch.float32


def test_bfloat16_learns_gunpoint(gunpoint):
    """With the one-cycle schedule of short budgets: far above chance (0.5). Float32 scores 0.893
    with these settings and seed, bfloat16 0.86 (0.973 for seeds 1-3, as float32)."""
    X_train, y_train, X_test, y_test = gunpoint
    clf = InceptionTimeClassifier(n_estimators=2, random_state=0, precision="bfloat16",
                                  **{**GUNPOINT, "lr_schedule": "one_cycle"})
    assert clf.fit(X_train, y_train).score(X_test, y_test) >= 0.8


def test_scoring_is_float32_whatever_the_training(gunpoint):
    """predict_proba of a bfloat16-trained network is its float32 forward's softmax."""
    X, y, X_test, _ = gunpoint
    clf = make(InceptionNetworkClassifier, TINY, precision="bfloat16").fit(X[:20], y[:20])
    module = clf.module_.eval()
    with torch.no_grad():
        expected = torch.softmax(module(torch.from_numpy(X_test[:10])).double(), dim=1)
    np.testing.assert_allclose(clf.predict_proba(X_test[:10]), expected.numpy(), atol=1e-6)


def test_precision_is_kept_by_save_load_and_resume(gunpoint, tmp_path):
    X, y, _, _ = gunpoint
    clf = make(InceptionTimeClassifier, precision="bfloat16", n_estimators=2).fit(X[:20], y[:20])
    clf.save(tmp_path / "model.pt")
    loaded = inceptionsk.load(tmp_path / "model.pt")
    assert loaded.precision == "bfloat16"
    for member in loaded.estimators_:
        assert member.net_.autocast_dtype == torch.bfloat16
    HEAD_DTYPES.clear()
    loaded.set_params(max_epochs=3, callbacks=[HeadDtypes()]).resume(X[:20], y[:20])
    assert len(loaded.estimators_[0].history_) == 3
    assert set(HEAD_DTYPES) == {torch.bfloat16}


def test_litemv_trains_in_bfloat16_with_its_long_depthwise_kernels(basic_motions):
    """LITEMV's first layer is a depthwise convolution with a kernel of 40 over 6 channels,
    which oneDNN did not finish in bfloat16 (minutes for one batch): it runs in float32."""
    X, y, _, _ = basic_motions
    HEAD_DTYPES.clear()
    clf = LITETimeClassifier(n_estimators=1, n_filters=4, max_epochs=2, use_litemv=True,
                             precision="bfloat16", device="cpu", random_state=0,
                             callbacks=[HeadDtypes()]).fit(X, y)
    assert set(HEAD_DTYPES) == {torch.bfloat16}
    assert clf.predict(X[:4]).shape == (4,)


def test_bfloat16_warns_on_a_cpu_without_bfloat16_kernels(gunpoint):
    """Where oneDNN has no bfloat16 kernels (an AVX2-only CPU) torch emulates them and
    training takes about 10x as long: fit and resume say so, once for an ensemble, at
    the caller's line; with the kernels, or in float32, they say nothing."""
    X, y = gunpoint[0][:10], gunpoint[1][:10]
    emulated = not cpu_has_bfloat16_kernels()
    for precision, expected in (("bfloat16", int(emulated)), ("float32", 0)):
        ensemble = make(InceptionTimeClassifier, n_estimators=2, precision=precision)
        for step in ("fit", "resume"):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                if step == "fit":
                    ensemble.fit(X, y)
                else:  # two epochs more for each member
                    ensemble.set_params(max_epochs=2).resume(X, y)
            warned = [w for w in caught if w.category is EmulatedPrecisionWarning]
            assert len(warned) == expected, [str(w.message) for w in caught]
            if warned:
                assert "use precision='float32'" in str(warned[0].message)
                assert warned[0].filename == __file__


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64")
                    or not Path("/proc/cpuinfo").exists(), reason="reads x86 Linux flags")
def test_the_bfloat16_kernels_are_those_of_avx512():
    """torch's oneDNN query agrees with the CPU's own flags: AVX-512 BW, VL and DQ."""
    flags = next(line for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("flags")).split(":", 1)[1].split()
    assert cpu_has_bfloat16_kernels() == ({"avx512bw", "avx512vl", "avx512dq"} <= set(flags))
