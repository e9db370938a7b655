"""TrainingCheckpoint: a training that dies continues from its file to the network an
uninterrupted training gives, and a different training never continues from it.

The deaths are real: an exception raised inside skorch's training loop (what any crash
does to the process's training), Ctrl-C's KeyboardInterrupt, and a SIGKILL of an
ensemble's worker process. Nothing of skorch or torch is mocked.
"""

import warnings

import numpy as np
import pytest
import torch
from conftest import TINY, KillWorker
from skorch.callbacks import Callback

from inceptionsk import (
    InceptionNetworkClassifier,
    InceptionNetworkRegressor,
    InceptionTimeClassifier,
    TrainingCheckpoint,
    TrainingInterruptedWarning,
    WorkerDiedError,
    benchmark,
)
from inceptionsk.benchmark import run_benchmark
from inceptionsk.cli import main


class Crash(Callback):
    """Raise a RuntimeError at the end of epoch ``epoch``: the process's training dies
    there, after the checkpoint (given before this callback) saved that epoch."""

    def __init__(self, epoch, error=RuntimeError):
        self.epoch = epoch
        self.error = error

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            raise self.error("the process died here")


class CountBatches(Callback):
    """Count the training batches run in this process, in ``TRAINED`` (a clone's count
    reaches the test too)."""

    def on_batch_end(self, net, training=False, **kwargs):
        if training:
            TRAINED.append(1)


TRAINED = []

RECIPES = {
    "plateau": {},
    "one_cycle": {"lr_schedule": "one_cycle"},
    # the validation loss chooses the weights kept, and early stopping counts misses
    "validation": {"validation_fraction": 0.3, "n_iter_no_change": 4, "max_epochs": 10},
}


def network(recipe="plateau", callbacks=None, **params):
    settings = {**TINY, "max_epochs": 6, "random_state": 0, **RECIPES[recipe]}
    return InceptionNetworkClassifier(**{**settings, **params}, callbacks=callbacks)


def assert_same_training(net, reference):
    """The same weights, buffers, history and kept epoch, bitwise."""
    state, expected = net.module_.state_dict(), reference.module_.state_dict()
    assert state.keys() == expected.keys()
    for name in state:
        assert torch.equal(state[name], expected[name]), name
    # every epoch's and batch's losses, rates and flags; only the durations differ
    assert [{key: value for key, value in epoch.items() if key != "dur"}
            for epoch in net.history_] == [
        {key: value for key, value in epoch.items() if key != "dur"}
        for epoch in reference.history_]
    assert net._kept_epoch() == reference._kept_epoch()
    assert net.stopped_early_ == reference.stopped_early_
    assert not net.interrupted_


@pytest.fixture(autouse=True)
def no_batches_yet():
    TRAINED.clear()


@pytest.mark.parametrize("recipe", list(RECIPES))
def test_a_training_that_died_continues_to_the_uninterrupted_network(
        gunpoint, tmp_path, recipe):
    X, y = gunpoint[:2]
    reference = network(recipe).fit(X, y)
    with pytest.raises(RuntimeError, match="died here"):
        network(recipe, [TrainingCheckpoint(tmp_path, interval=0), Crash(3)]).fit(X, y)
    assert len(list(tmp_path.glob("training-*.pt"))) == 1

    continued = network(recipe, [TrainingCheckpoint(tmp_path, interval=0),
                                 CountBatches()]).fit(X, y)
    assert_same_training(continued, reference)
    # only the epochs after the third trained here
    batches = sum("train_loss" in batch for batch in reference.history_[-1, "batches"])
    assert len(TRAINED) == (len(reference.history_) - 3) * batches
    np.testing.assert_array_equal(continued.predict_proba(X), reference.predict_proba(X))


def test_a_finished_training_loads_without_training_again(gunpoint, tmp_path):
    X, y = gunpoint[:2]
    first = network(callbacks=[TrainingCheckpoint(tmp_path)]).fit(X, y)
    again = network(callbacks=[TrainingCheckpoint(tmp_path), CountBatches()]).fit(X, y)
    assert TRAINED == []
    assert_same_training(again, first)


def test_an_early_stop_is_kept_when_the_finished_training_loads(gunpoint, tmp_path):
    X, y = gunpoint[:2]
    settings = dict(recipe="validation", max_epochs=60, n_iter_no_change=2)
    first = network(**settings, callbacks=[TrainingCheckpoint(tmp_path)]).fit(X, y)
    assert first.stopped_early_ and len(first.history_) < 60
    again = network(**settings, callbacks=[TrainingCheckpoint(tmp_path)]).fit(X, y)
    assert again.stopped_early_ and not again.interrupted_
    assert_same_training(again, first)


def test_ctrl_c_leaves_a_checkpoint_that_a_new_fit_continues(gunpoint, tmp_path):
    X, y = gunpoint[:2]
    reference = network().fit(X, y)
    with pytest.warns(TrainingInterruptedWarning):
        stopped = network(callbacks=[TrainingCheckpoint(tmp_path, interval=0),
                                     Crash(2, error=KeyboardInterrupt)]).fit(X, y)
    assert stopped.interrupted_ and len(stopped.history_) == 2
    continued = network(callbacks=[TrainingCheckpoint(tmp_path, interval=0)]).fit(X, y)
    assert_same_training(continued, reference)


@pytest.mark.parametrize("change", [
    {"random_state": 1}, {"lr": 0.002}, {"max_epochs": 5}, {"n_filters": 3},
    {"lr_schedule": "one_cycle"}, {"precision": "bfloat16"}, {"weight_init": "glorot"},
    {"data": "other cases"}, {"data": "weights"},
])
def test_a_different_training_never_continues_from_another_ones_file(
        gunpoint, tmp_path, change):
    X, y = gunpoint[:2]
    with pytest.raises(RuntimeError):
        network(callbacks=[TrainingCheckpoint(tmp_path, interval=0), Crash(3)]).fit(X, y)
    change = dict(change)
    data = change.pop("data", None)
    weights = None
    if data == "other cases":
        X, y = X[1:], y[1:]
    elif data == "weights":
        weights = np.linspace(0.5, 1.5, len(y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # bfloat16 emulated on this CPU: slow, not wrong
        expected = network(**change).fit(X, y, sample_weight=weights)
        other = network(**change, callbacks=[TrainingCheckpoint(tmp_path, interval=0)])
        other.fit(X, y, sample_weight=weights)
    assert_same_training(other, expected)
    assert len(list(tmp_path.glob("training-*.pt"))) == 2  # beside the first, not over it


def test_a_warm_start_is_a_training_of_its_own(gunpoint, tmp_path):
    X, y = gunpoint[:2]
    # the starting weights name the file: the warm start does not load the first fit's
    clf = network(warm_start=True, callbacks=[TrainingCheckpoint(tmp_path)]).fit(X, y)
    first = clf.module_.state_dict()
    clf.fit(X, y)
    assert len(list(tmp_path.glob("training-*.pt"))) == 2
    assert not all(torch.equal(first[name], value)
                   for name, value in clf.module_.state_dict().items())


def test_an_ensemble_whose_worker_was_killed_continues_every_member(basic_motions, tmp_path):
    X, y = basic_motions[:2]
    settings = dict(TINY, n_estimators=2, max_epochs=3, random_state=0, n_jobs=2)
    reference = InceptionTimeClassifier(**settings).fit(X, y)
    victim = reference.estimators_[1]._seed()
    marker = tmp_path / "killed"
    with pytest.raises(WorkerDiedError):
        InceptionTimeClassifier(**settings, callbacks=[
            TrainingCheckpoint(tmp_path / "ck", interval=0),
            KillWorker(victim, epoch=2, marker=str(marker)),
        ]).fit(X, y)
    assert marker.exists()
    continued = InceptionTimeClassifier(
        **settings, callbacks=[TrainingCheckpoint(tmp_path / "ck", interval=0)]).fit(X, y)
    for member, expected in zip(continued.estimators_, reference.estimators_, strict=True):
        assert_same_training(member, expected)
    np.testing.assert_array_equal(continued.predict_proba(X), reference.predict_proba(X))


def test_a_regressor_continues_too(gunpoint, tmp_path):
    X = gunpoint[0]
    y = X[:, 0, ::10].mean(axis=1) * 3 + 1
    settings = dict(TINY, max_epochs=5, random_state=0)
    reference = InceptionNetworkRegressor(**settings).fit(X, y)
    with pytest.raises(RuntimeError):
        InceptionNetworkRegressor(**settings, callbacks=[
            TrainingCheckpoint(tmp_path, interval=0), Crash(2)]).fit(X, y)
    continued = InceptionNetworkRegressor(
        **settings, callbacks=[TrainingCheckpoint(tmp_path, interval=0)]).fit(X, y)
    assert_same_training(continued, reference)
    np.testing.assert_array_equal(continued.predict(X), reference.predict(X))


def test_a_damaged_file_is_refused_with_what_to_do(gunpoint, tmp_path):
    X, y = gunpoint[:2]
    with pytest.raises(RuntimeError):
        network(callbacks=[TrainingCheckpoint(tmp_path, interval=0), Crash(2)]).fit(X, y)
    (path,) = tmp_path.glob("training-*.pt")
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(ValueError, match="damaged. Delete it to train this network"):
        network(callbacks=[TrainingCheckpoint(tmp_path)]).fit(X, y)


@pytest.mark.parametrize("interval", [-1, float("nan"), "60"])
def test_a_bad_interval_is_refused(gunpoint, tmp_path, interval):
    X, y = gunpoint[:2]
    with pytest.raises(ValueError, match="interval is the seconds between two saves"):
        network(callbacks=[TrainingCheckpoint(tmp_path, interval=interval)]).fit(X, y)
    assert not list(tmp_path.iterdir())


class StopAfter(Callback):
    """Ctrl-C as epoch ``epoch + 1`` begins (epoch ``epoch`` saved), the first time only
    (``marker``)."""

    def __init__(self, epoch, marker):
        self.epoch = epoch
        self.marker = marker

    def on_epoch_begin(self, net, **kwargs):
        if len(net.history) == self.epoch + 1 and not self.marker.exists():
            self.marker.touch()
            raise KeyboardInterrupt


@pytest.fixture
def gunpoint_folder(gunpoint, tmp_path):
    """GunPoint as a UCR dataset folder."""
    folder = tmp_path / "archive" / "GunPoint"
    folder.mkdir(parents=True)
    for split, (X, y) in {"TRAIN": gunpoint[:2], "TEST": gunpoint[2:]}.items():
        np.savetxt(folder / f"GunPoint_{split}.tsv",
                   np.column_stack([y.astype(float), X[:, 0]]), delimiter="\t")
    return folder


def test_a_benchmark_run_killed_mid_dataset_continues_it_and_leaves_no_time(
        gunpoint_folder, tmp_path, monkeypatch):
    folder = gunpoint_folder
    monkeypatch.setattr(benchmark, "CHECKPOINT_INTERVAL", 0)
    out = tmp_path / "results.csv"
    settings = dict(n_estimators=1, max_epochs=4, progress=False)
    tiny = {"n_filters": 2, "depth": 1}
    expected = run_benchmark(folder, **settings, params=tiny).rows[0]
    with pytest.raises(KeyboardInterrupt):
        run_benchmark(folder, out=out, **settings, params={
            **tiny, "callbacks": [StopAfter(2, tmp_path / "stopped")]})
    assert list((tmp_path / "results.csv.checkpoints" / "GunPoint").glob("training-*.pt"))

    row = run_benchmark(folder, out=out, **settings, params=tiny).rows[0]
    assert row["score"] == expected["score"]
    assert row["seconds"] is None and row["time_ratio"] is None
    assert expected["seconds"] > 0 and expected["time_ratio"] > 0
    assert row["paper_seconds"] == expected["paper_seconds"]
    assert not (tmp_path / "results.csv.checkpoints").exists()  # spent once the row is in


def test_the_command_line_continues_a_dataset_and_says_so(
        gunpoint_folder, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(benchmark, "CHECKPOINT_INTERVAL", 0)
    out = tmp_path / "cli.csv"
    settings = ["--n-estimators", "1", "--max-epochs", "2", "--threads", "1", "--quiet"]
    # the command line's network, stopped after its first epoch
    with pytest.raises(KeyboardInterrupt):
        run_benchmark(gunpoint_folder, n_estimators=1, max_epochs=2, out=out,
                      progress=False, params={"callbacks": [
                          StopAfter(1, tmp_path / "stopped")]})
    assert main(["benchmark", str(gunpoint_folder), *settings, "--out", str(out)]) == 0
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith("GunPoint: accuracy ")
    assert "1 x 2 epochs, continued from its checkpoints, scale series" in line
    (row,) = benchmark.BenchmarkResult.from_csv(out).rows
    assert row["seconds"] is None and row["max_epochs"] == 2
