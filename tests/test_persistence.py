"""save/load: one file, no pickle, loads on the CPU, refuses what it cannot read."""

import errno
import hashlib
import io
import os
import pickle
import subprocess
import sys
import zipfile

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from conftest import CLASSIFIERS, ENSEMBLES, ESTIMATORS, full_disk, make, outputs
from sklearn.base import clone
from sklearn.pipeline import make_pipeline
from skorch.callbacks import Callback

import inceptionsk
from inceptionsk import (
    DamagedFileError,
    InceptionNetworkClassifier,
    InceptionTimeClassifier,
    SeriesImputer,
    SeriesStandardScaler,
    TrainingInterruptedWarning,
    UnverifiedFileWarning,
    load,
)
from inceptionsk.persistence import FORMAT_VERSION


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(24, 2, 20)).astype(np.float32)
    y = np.tile(["walk", "run", "sit"], 8)
    return X, y


def target(cls, X, y):
    """The labels ``y`` for a classifier; two targets from X for a regressor."""
    if cls in CLASSIFIERS:
        return y
    return np.column_stack([X[:, 0].mean(axis=1) * 100, X[:, 1].std(axis=1)])


def fitted(cls, X, y, **params):
    """``cls`` fitted for two epochs; an ensemble of two members."""
    if cls in ENSEMBLES:
        params.setdefault("n_estimators", 2)
    return make(cls, max_epochs=2, **params).fit(X, target(cls, X, y))


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_round_trip_gives_the_same_estimator(cls, data, tmp_path):
    X, y = data
    estimator = fitted(cls, X, y)
    path = tmp_path / "model.pt"
    estimator.save(path)
    assert os.listdir(tmp_path) == ["model.pt"], "one file, no temporary left behind"
    loaded = load(path)
    assert type(loaded) is cls
    assert loaded.get_params() == estimator.get_params()
    np.testing.assert_array_equal(outputs(loaded, X), outputs(estimator, X))
    members = getattr(loaded, "estimators_", [loaded])
    originals = getattr(estimator, "estimators_", [estimator])
    for member, original in zip(members, originals, strict=True):
        assert member.history_.to_list() == original.history_.to_list()
        assert member.net_.device == "cpu"
        assert all(t.device.type == "cpu" for t in member.module_.state_dict().values())
        assert member.random_state == original.random_state
    for name in ("n_features_in_", "n_channels_in_", "n_timepoints_in_"):
        assert getattr(loaded, name) == getattr(estimator, name)
    if hasattr(estimator, "classes_"):
        np.testing.assert_array_equal(loaded.classes_, estimator.classes_)
        assert loaded.classes_.dtype == estimator.classes_.dtype
    # the loaded estimator is an ordinary one: it pickles, clones and refits
    np.testing.assert_array_equal(
        outputs(pickle.loads(pickle.dumps(loaded)), X), outputs(estimator, X)
    )
    buffer = io.BytesIO()
    joblib.dump(loaded, buffer)
    buffer.seek(0)
    np.testing.assert_array_equal(outputs(joblib.load(buffer), X), outputs(estimator, X))
    np.testing.assert_array_equal(outputs(clone(loaded).fit(X, target(cls, X, y)), X),
                                  outputs(estimator, X))


@pytest.mark.parametrize("labels", [
    np.array([3, -1, 7]), np.array([1.0, 2.0, -4.0]), np.array([True, False, True]),
    np.array(["a", "bb", "ccc"], dtype=object),
])
def test_labels_of_any_kind_and_feature_names_survive(labels, data):
    X, _ = data
    y = np.resize(labels, 24)
    X2 = pd.DataFrame(X[:, 0], columns=[f"t{i}" for i in range(20)])
    clf = make(InceptionNetworkClassifier, max_epochs=2).fit(X2, y)
    buffer = io.BytesIO()
    inceptionsk.save(clf, buffer)  # the function, and a file object
    buffer.seek(0)
    loaded = load(buffer)
    np.testing.assert_array_equal(loaded.classes_, clf.classes_)
    assert loaded.classes_.dtype == clf.classes_.dtype
    np.testing.assert_array_equal(loaded.feature_names_in_, clf.feature_names_in_)
    np.testing.assert_array_equal(loaded.predict(X2), clf.predict(X2))


def test_the_file_holds_only_tensors_and_plain_values(data, tmp_path):
    """torch's weights-only loader, which refuses any pickled object, reads the archive
    after the header."""
    X, y = data
    path = tmp_path / "model.pt"
    fitted(InceptionTimeClassifier, X, y).save(path)
    archive = _archive(path.read_bytes())
    assert zipfile.is_zipfile(io.BytesIO(archive))
    content = torch.load(io.BytesIO(archive), weights_only=True)
    assert content["format"] == "inceptionsk" and content["format_version"] == FORMAT_VERSION
    assert content["inceptionsk_version"] == inceptionsk.__version__
    record = content["estimator"]
    assert record["class"] == "InceptionTimeClassifier"
    member = record["attributes"]["estimators_"][0]["__estimator__"]
    net = member["attributes"]["net_"]["__net__"]
    assert net["optimizer"] is None, "a finished network never trains again"
    assert all(isinstance(t, torch.Tensor) for t in net["state_dict"].values())


def test_devices_on_load(data, tmp_path):
    """The networks go to the device asked for at load (the CPU by default); the
    estimators' device parameter stays as saved, for a later fit."""
    X, y = data
    clf = fitted(InceptionTimeClassifier, X, y)
    # a model whose parameter says CUDA, as one trained on a GPU machine would
    clf.set_params(device="cuda")
    path = tmp_path / "model.pt"
    clf.save(path)
    loaded = load(path)
    assert loaded.device == "cuda"
    assert {m.net_.device for m in loaded.estimators_} == {"cpu"}
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert {m.net_.device for m in load(path, device="auto").estimators_} == {expected}
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="device='cuda' was asked for, but this torch "
                                             "build sees no CUDA device"):
            load(path, device="cuda")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_a_model_trained_on_cuda_loads_on_the_cpu(data, tmp_path, monkeypatch):
    X, y = data
    clf = make(InceptionTimeClassifier, n_estimators=2, max_epochs=2, device="cuda").fit(X, y)
    clf.save(tmp_path / "model.pt")
    loaded = load(tmp_path / "model.pt")
    assert all(t.device.type == "cpu" for m in loaded.estimators_
               for t in m.module_.state_dict().values())
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
    # cuDNN convolves in TF32 by default (10-bit mantissa); in full float32 the GPU's
    # probabilities are the CPU's up to rounding
    monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", False)
    np.testing.assert_allclose(loaded.predict_proba(X), clf.predict_proba(X), atol=1e-5)


class _StopAt(Callback):
    """Raise KeyboardInterrupt, as Ctrl-C does, at the end of the given epoch."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            raise KeyboardInterrupt


def test_an_interrupted_model_saves_and_resumes_after_load(data, tmp_path):
    """The optimizer state of an interrupted network is saved: resuming the loaded model
    trains exactly as resuming the original."""
    X, y = data
    clf = make(InceptionNetworkClassifier, max_epochs=4, callbacks=[_StopAt(2)])
    with pytest.warns(TrainingInterruptedWarning):
        clf.fit(X, y)
    with pytest.warns(UserWarning, match="InceptionNetworkClassifier.save: callbacks not "
                                         "saved, as the file holds no Python objects"):
        clf.save(tmp_path / "model.pt")
    loaded = load(tmp_path / "model.pt")
    assert loaded.interrupted_ and loaded.callbacks is None
    clf.set_params(callbacks=None).resume(X, y)
    loaded.resume(X, y)
    assert len(loaded.history_) == 4
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_a_random_state_instance_is_not_saved(data, tmp_path):
    X, y = data
    clf = make(InceptionTimeClassifier, max_epochs=2,
               random_state=np.random.RandomState(0)).fit(X, y)
    with pytest.warns(UserWarning, match=r"random_state \(a RandomState instance\) not saved"):
        clf.save(tmp_path / "model.pt")
    loaded = load(tmp_path / "model.pt")
    assert loaded.random_state is None
    assert loaded.estimators_[0].random_state == clf.estimators_[0].random_state


# --- refusals -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def saved_bytes(data):
    X, y = data
    buffer = io.BytesIO()
    fitted(InceptionNetworkClassifier, X, y).save(buffer)
    return buffer.getvalue()


def _framed(archive, version=FORMAT_VERSION):
    """A file of ``version``: the header save writes, then ``archive``."""
    digest = hashlib.sha256(archive).hexdigest()
    header = f"inceptionsk model\nformat_version {version}\nsha256 {digest}\nsize {len(archive)}\n"
    return header.encode() + archive


def _archive(saved_bytes):
    """The torch.save archive inside a saved file."""
    return saved_bytes[saved_bytes.index(b"PK\x03\x04"):]


def test_a_file_starts_with_its_checksum(saved_bytes):
    """The header: format version, SHA-256 digest and size of the archive that follows."""
    archive = _archive(saved_bytes)
    assert saved_bytes == _framed(archive)
    assert torch.load(io.BytesIO(archive), weights_only=True)["format_version"] == FORMAT_VERSION


def test_a_file_of_a_newer_format_is_refused(saved_bytes, tmp_path):
    path = tmp_path / "future.pt"
    path.write_bytes(_framed(_archive(saved_bytes), version=FORMAT_VERSION + 1))
    with pytest.raises(ValueError, match=(
        f"^{path} was written by a newer inceptionsk in file format version "
        f"{FORMAT_VERSION + 1}; this inceptionsk {inceptionsk.__version__} reads format "
        f"versions 1 to {FORMAT_VERSION}. Load it with a matching version of inceptionsk.$"
    ).replace(".", r"\.")):
        load(path)


def test_a_truncated_file_is_refused(saved_bytes, tmp_path):
    path = tmp_path / "truncated.pt"
    path.write_bytes(saved_bytes[: len(saved_bytes) // 2])
    size = len(_archive(saved_bytes))
    header = len(saved_bytes) - size
    with pytest.raises(DamagedFileError, match=(
        f"^{path} is damaged: truncated, its content has {len(saved_bytes) // 2 - header} "
        f"bytes where the file's header records {size}\\."
    )):
        load(path)


def test_a_changed_byte_is_refused_with_both_digests(saved_bytes, tmp_path):
    path = tmp_path / "flipped.pt"
    damaged = bytearray(saved_bytes)
    damaged[len(saved_bytes) // 2] ^= 0x10
    path.write_bytes(damaged)
    expected = hashlib.sha256(_archive(saved_bytes)).hexdigest()
    found = hashlib.sha256(_archive(bytes(damaged))).hexdigest()
    with pytest.raises(DamagedFileError, match=(
        f"^{path} is damaged: the SHA-256 digest of its content is {found}, but the file's "
        f"header records {expected}, so some of its bytes changed after it was saved. Nothing "
        "was loaded from it."
    )):
        load(path)


def test_flipped_bits_and_truncations_anywhere_are_refused(data, saved_bytes):
    """A single flipped bit at 300 seeded offsets across the whole file (header, archive
    and its zip directory), and truncations at 40 lengths: each file is refused, or
    scores exactly as the original (a flip in bytes that carry nothing)."""
    X, _ = data
    original = load(io.BytesIO(saved_bytes)).predict_proba(X)
    rng = np.random.RandomState(0)
    offsets = np.concatenate([np.arange(120), rng.randint(len(saved_bytes), size=180)])
    cuts = np.concatenate([[0, 1, 17, 60, 119], rng.randint(len(saved_bytes), size=35)])
    damaged_files = [
        bytes(saved_bytes[:offset]) + bytes([saved_bytes[offset] ^ 1 << int(bit)])
        + saved_bytes[offset + 1:]
        for offset, bit in zip(offsets, rng.randint(8, size=len(offsets)), strict=True)
    ] + [saved_bytes[:cut] for cut in cuts]
    loaded = 0
    for damaged in damaged_files:
        try:
            model = load(io.BytesIO(damaged))
        except ValueError:
            continue
        loaded += 1
        assert np.array_equal(model.predict_proba(X), original)
    assert loaded == 0, "the checksum covers every byte but the header's, which is strict"


@pytest.mark.parametrize("name", ["inception_time", "lite_time"])
def test_a_file_of_format_version_1_loads_with_a_warning(name, tmp_path):
    """tests/data/format1_*.pt, written by inceptionsk 0.1's save (no checksum), loads
    and scores as it did: LITE's dilated layers keep 0.1's Keras alignment (kernel 8:
    dilated kernels of 4 and 2 taps, where the alignments differ), also once saved again."""
    folder = os.path.join(os.path.dirname(__file__), "data")
    path = os.path.join(folder, f"format1_{name}.pt")
    with pytest.warns(UnverifiedFileWarning, match=(
        f"^{path} was written by inceptionsk 0.1.0 in file format version 1, which has no "
        "checksum: its content cannot be verified."
    )):
        model = load(path)
    expected = np.load(os.path.join(folder, f"format1_{name}.npz"))
    # written on another CPU: its kernels (AVX-512 there, AVX2 on some of ours) round
    # differently (by up to 2e-9 on an AVX2-only CPU); 1e-6 allows for rounding only
    np.testing.assert_allclose(model.predict_proba(expected["X"]), expected["proba"],
                               rtol=0, atol=1e-6)
    model.save(tmp_path / "again.pt")
    np.testing.assert_allclose(load(tmp_path / "again.pt").predict_proba(expected["X"]),
                               expected["proba"], rtol=0, atol=1e-6)
    if name == "lite_time":  # a new fit builds today's network
        refit = clone(model).fit(expected["X"], model.classes_[[0, 1] * 6])
        assert not any(b.conv.time_padding is None for m in refit.estimators_
                       for b in m.net_.module_.fcn)
        # a warm start continues the network it has, and its file says which it is
        member = model.estimators_[0].set_params(warm_start=True, max_epochs=1)
        member.fit(expected["X"], model.classes_[[0, 1] * 6])
        member.save(tmp_path / "warm.pt")
        again = load(tmp_path / "warm.pt")
        assert all(b.conv.time_padding is None for b in again.net_.module_.fcn)
        assert np.array_equal(again.predict_proba(expected["X"]),
                              member.predict_proba(expected["X"]))


@pytest.mark.parametrize("kind", ["text", "empty", "tensor", "pickle", "joblib"])
def test_a_file_that_is_not_a_model_is_refused(kind, data, tmp_path):
    X, y = data
    path = tmp_path / f"{kind}.bin"
    if kind == "text":
        path.write_text("walk,run,sit\n1,2,3\n")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "tensor":
        torch.save(torch.zeros(3), path)
    elif kind == "pickle":
        # torch.save of a whole estimator: a pickle of arbitrary objects
        torch.save(fitted(InceptionNetworkClassifier, X, y), path)
    else:
        joblib.dump(fitted(InceptionNetworkClassifier, X, y), path)
    message = {
        "tensor": f"^{path} is not a model saved by inceptionsk.save: it holds a Tensor "
                  "without the inceptionsk header.$",
        "pickle": f"^{path} is not a model saved by inceptionsk.save: "
                  r"torch.load\(weights_only=True\) cannot read it \(WeightsUnpickler error: "
                  "Unsupported global",
    }.get(kind, f"^{path} is not a model saved by inceptionsk.save: "
                r"torch.load\(weights_only=True\) cannot read it")
    with pytest.raises(ValueError, match=message):
        load(path)


def test_a_header_with_damaged_content_is_refused(saved_bytes, tmp_path):
    """Content that does not decode, under a checksum that matches it (a file made by hand)."""
    content = torch.load(io.BytesIO(_archive(saved_bytes)), weights_only=True)
    content["estimator"]["class"] = "os.system"
    archive = io.BytesIO()
    torch.save(content, archive)
    (tmp_path / "odd.pt").write_bytes(_framed(archive.getvalue()))
    with pytest.raises(ValueError, match="has the inceptionsk header but its content is "
                                         "damaged .*unknown estimator class 'os.system'"):
        load(tmp_path / "odd.pt")
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.pt")


def test_saving_what_is_not_a_fitted_estimator_of_the_package(tmp_path):
    from sklearn.exceptions import NotFittedError
    from sklearn.linear_model import LogisticRegression

    with pytest.raises(TypeError, match="save takes an estimator of inceptionsk, or a "
                                        "Pipeline of inceptionsk's transformers ending "
                                        "with one, got LogisticRegression; use joblib.dump"):
        inceptionsk.save(LogisticRegression(), tmp_path / "m.pt")
    with pytest.raises(TypeError, match="got a Pipeline of SeriesStandardScaler, "
                                        "LogisticRegression; use joblib.dump"):
        inceptionsk.save(make_pipeline(SeriesStandardScaler(), LogisticRegression()),
                         tmp_path / "m.pt")
    with pytest.raises(NotFittedError):
        InceptionTimeClassifier().save(tmp_path / "m.pt")
    assert not os.listdir(tmp_path)


def test_series_of_unequal_lengths_and_the_one_cycle_schedule(tmp_path):
    """A model fitted on a list of series of unequal lengths, with the one-cycle schedule, saves,
    loads and scores series of any length as before; interrupted, it resumes after load."""
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(2, length)).astype(np.float32) for length in rng.randint(5, 30, 24)]
    y = np.tile(["a", "b"], 12)
    clf = make(InceptionTimeClassifier, n_estimators=2, max_epochs=3,
               lr_schedule="one_cycle").fit(X, y)
    clf.save(tmp_path / "model.pt")
    loaded = load(tmp_path / "model.pt")
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    assert loaded.predict_proba([rng.normal(size=(2, 50))]).shape == (1, 2)
    member = make(InceptionNetworkClassifier, max_epochs=3, lr_schedule="one_cycle",
                  callbacks=[_StopAt(1)])
    with pytest.warns(TrainingInterruptedWarning):
        member.fit(X, y)
    with pytest.warns(UserWarning, match="callbacks not saved") as record:
        member.save(tmp_path / "member.pt")
    assert record[0].filename == __file__, "the warning points at the call of save"
    resumed = load(tmp_path / "member.pt").resume(X, y)
    assert len(resumed.history_) == 3 and np.isfinite(resumed.predict_proba(X)).all()


def test_a_pipeline_of_the_package_saves_and_loads(tmp_path):
    """The command line's --scale model: transformers of the package before an ensemble."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(16, 2, 24))
    X[3, 1, 5] = np.nan
    y = np.array(["a", "b"] * 8)
    pipeline = make_pipeline(
        SeriesImputer(), SeriesStandardScaler(),
        make(InceptionTimeClassifier, n_estimators=2, max_epochs=2),
    ).fit(X, y)
    inceptionsk.save(pipeline, tmp_path / "pipeline.pt")
    loaded = inceptionsk.load(tmp_path / "pipeline.pt")
    assert [type(step).__name__ for _, step in loaded.steps] == [
        "SeriesImputer", "SeriesStandardScaler", "InceptionTimeClassifier"]
    assert all(isinstance(step, tuple) for step in loaded.steps)
    np.testing.assert_array_equal(loaded.predict_proba(X), pipeline.predict_proba(X))


# --- failed saves -------------------------------------------------------------------

#: Run in a fresh interpreter: load the model at argv[1], cap the size of any file this
#: process writes (SIGXFSZ ignored, so a write past the cap fails with EFBIG instead of
#: killing the process) and save the model back onto the same path.
_SAVE_UNDER_A_FILE_SIZE_LIMIT = """
import errno, resource, signal, sys
from inceptionsk import load
model = load(sys.argv[1])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[2]), resource.RLIM_INFINITY))
try:
    model.save(sys.argv[1])
except OSError as exc:
    print(exc.errno == errno.EFBIG, exc)
"""


def _assert_untouched(path, saved_bytes, data):
    """The earlier file at ``path`` is byte for byte what it was and loads; nothing else
    is left in its folder."""
    assert os.listdir(path.parent) == [path.name], "no temporary file left behind"
    assert path.read_bytes() == saved_bytes
    X, _ = data
    assert load(path).predict_proba(X).shape == (len(X), 3)


def test_a_save_past_the_file_size_limit_keeps_the_earlier_file(data, saved_bytes, tmp_path):
    path = tmp_path / "model.pt"
    path.write_bytes(saved_bytes)
    done = subprocess.run(
        [sys.executable, "-c", _SAVE_UNDER_A_FILE_SIZE_LIMIT, str(path),
         str(len(saved_bytes) // 2)],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        f"True [Errno {errno.EFBIG}] inceptionsk.save could not write {path}: File too large. "
        "Nothing was written there: a file that was at that path is unchanged."
    ), done.stdout
    _assert_untouched(path, saved_bytes, data)


def test_a_save_on_a_full_disk_keeps_the_earlier_file(data, saved_bytes, tmp_path):
    path = tmp_path / "model.pt"
    path.write_bytes(saved_bytes)
    model = load(path)
    with full_disk(), pytest.raises(OSError, match=(
        rf"^\[Errno {errno.ENOSPC}\] inceptionsk.save could not write {path}: No space left "
        "on device. Nothing was written there"
    )) as raised:
        model.save(path)
    assert raised.value.errno == errno.ENOSPC
    _assert_untouched(path, saved_bytes, data)


def test_an_interrupt_while_saving_keeps_the_earlier_file(data, saved_bytes, tmp_path):
    """Ctrl-C in the middle of the write: the interrupt propagates, unchanged."""
    path = tmp_path / "model.pt"
    path.write_bytes(saved_bytes)
    model = load(path)
    real_write = os.write

    def write(handle, data):
        real_write(handle, bytes(data[:100]))
        raise KeyboardInterrupt

    with pytest.MonkeyPatch.context() as patch, pytest.raises(KeyboardInterrupt):
        patch.setattr(os, "write", write)
        model.save(path)
    _assert_untouched(path, saved_bytes, data)
