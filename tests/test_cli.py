"""Tests of the ``inceptionsk`` command line: the commands, their output and exit codes."""

import csv
import errno
import os
import resource
import signal
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import joblib
import numpy as np
import pytest
import torch
from conftest import TINY, full_disk
from toy_data import toy_series, write_toy_pair, write_ts

import inceptionsk
from inceptionsk import InceptionTimeClassifier, cli
from inceptionsk.datasets import published_accuracy

REPO = Path(__file__).resolve().parents[1]
#: conftest's TINY network as options: one network, two epochs.
TINY_OPTIONS = [
    "--n-estimators", "1", "--max-epochs", "2", "--n-filters", str(TINY["n_filters"]),
    "--depth", str(TINY["depth"]), "--batch-size", str(TINY["batch_size"]),
    "--device", TINY["device"], "--threads", "1",
]


@pytest.fixture(scope="module")
def toy_model(tmp_path_factory):
    """A model fitted by ``inceptionsk fit`` on a toy .ts pair: (dataset folder, model)."""
    folder = write_toy_pair(tmp_path_factory.mktemp("data"))
    model = folder.parent / "toy.pt"
    assert cli.main(["fit", str(folder), "--output", str(model), "--quiet", *TINY_OPTIONS]) == 0
    return folder, model


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_fit_writes_a_model_that_loads(toy_model):
    _, model_path = toy_model
    model = cli.load_model(model_path)
    assert isinstance(model, InceptionTimeClassifier)
    assert model.classes_.tolist() == ["flat", "sine"]
    assert model.get_params()["max_epochs"] == 2 and len(model.estimators_) == 1


def test_fit_reports_progress_unless_quiet(capsys, tmp_path):
    folder = write_toy_pair(tmp_path)
    code, out, err = run(capsys, "fit", str(folder), "-o", str(tmp_path / "m.pt"), *TINY_OPTIONS)
    assert code == 0
    assert "Loaded Toy (train split): 16 series of 1 channel(s) x 24 points" in err
    assert "Trained in" in err and "Saved the model to" in err
    assert "epoch" in err  # the progress bar
    code, out, err = run(capsys, "fit", str(folder), "-o", str(tmp_path / "m.pt"),
                         "--quiet", *TINY_OPTIONS)
    assert code == 0 and out == "" and err == ""


def test_evaluate_prints_scores_and_the_confusion_matrix(capsys, toy_model):
    folder, model = toy_model
    code, out, _ = run(capsys, "evaluate", str(model), str(folder), "-q")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Toy, test split (10 cases)"
    accuracy = float(lines[1].split()[-1])
    assert 0 <= accuracy <= 1 and lines[1].startswith("accuracy")
    assert lines[2].startswith("balanced accuracy")
    assert lines[3] == "published InceptionTime accuracy: unknown for Toy"
    assert lines[4] == "confusion matrix (rows: true, columns: predicted):"
    assert lines[5].split() == ["flat", "sine"]
    counts = np.array([line.split()[1:] for line in lines[6:8]], dtype=int)
    assert counts.sum() == 10 and lines[6].split()[0] == "flat"
    assert np.trace(counts) / 10 == pytest.approx(accuracy, abs=1e-4)


def test_evaluate_shows_the_published_accuracy(capsys, tmp_path):
    model = tmp_path / "gunpoint.pt"
    assert cli.main(["fit", "GunPoint", "-o", str(model), "-q", *TINY_OPTIONS]) == 0
    code, out, _ = run(capsys, "evaluate", str(model), "gunpoint", "-q")
    assert code == 0
    assert out.splitlines()[0] == "GunPoint, test split (150 cases)"
    assert ("published InceptionTime accuracy (UCR2018, 5 networks x 1500 epochs): 1.0000"
            in out)


def test_predict_writes_labels_and_probabilities(capsys, toy_model, tmp_path):
    folder, model = toy_model
    output = tmp_path / "predictions.csv"
    code, out, err = run(capsys, "predict", str(model), str(folder / "Toy_TRAIN.ts"),
                         "--output", str(output))
    assert code == 0 and out == "" and "Wrote 10 predictions" in err
    with open(output, newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["case", "predicted", "proba_flat", "proba_sine"]
    assert len(rows) == 11 and [row[0] for row in rows[1:]] == [str(i) for i in range(10)]
    proba = np.array([row[2:] for row in rows[1:]], dtype=float)
    np.testing.assert_allclose(proba.sum(axis=1), 1, atol=1e-5)
    predicted = np.where(proba[:, 1] > proba[:, 0], "sine", "flat")
    assert [row[1] for row in rows[1:]] == predicted.tolist()
    # the same predictions on stdout by default
    code, out, _ = run(capsys, "predict", str(model), str(folder), "-q")
    assert code == 0 and list(csv.reader(out.splitlines())) == rows


def test_cv_prints_each_fold_and_the_mean(capsys, tmp_path):
    folder = write_toy_pair(tmp_path)
    code, out, _ = run(capsys, "cv", str(folder), "--folds", "3", "-q", *TINY_OPTIONS)
    assert code == 0
    lines = out.splitlines()
    assert [line.split(":")[0] for line in lines[:3]] == ["fold 1/3", "fold 2/3", "fold 3/3"]
    scores = [float(line.split()[-1]) for line in lines[:3]]
    assert lines[3].startswith("mean accuracy ")
    assert lines[3].endswith(" over 3 folds of the train data of Toy")
    assert float(lines[3].split()[2]) == pytest.approx(np.mean(scores), abs=1e-4)
    code, out, _ = run(capsys, "cv", str(folder), "--folds", "2", "--split", "all", "-q",
                       *TINY_OPTIONS)
    assert code == 0 and "of the whole data of Toy" in out


def test_demo_runs_with_a_small_budget(capsys):
    code, out, _ = run(capsys, "demo", "-q", *TINY_OPTIONS)
    assert code == 0
    assert "1 network(s) x 2 epochs" in out and "5 networks x 1500 epochs" in out
    assert "GunPoint test accuracy: " in out and "(paper: 1.0000 with the full recipe)" in out


def test_no_command_runs_the_demo(capsys, monkeypatch):
    monkeypatch.setitem(cli.DEMO_SETTINGS, "n_estimators", 1)
    monkeypatch.setitem(cli.DEMO_SETTINGS, "max_epochs", 1)
    # the demo keeps torch's thread count, as the estimators do (conftest sets 1)
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        code, out, _ = run(capsys)
    finally:
        torch.set_num_threads(threads)
    assert code == 0
    assert out.startswith("Demo: InceptionTime on bundled GunPoint with 1 network(s) x 1 "
                          "epochs, one_cycle schedule, batch size 64, 2 torch thread(s).")


@pytest.mark.parametrize(("argv", "message"), [
    (["fit", "NoSuchData", "-o", "m.pt"],
     "'NoSuchData' is neither a bundled dataset (BasicMotions, GunPoint)"),
    (["evaluate", "absent.pt", "GunPoint"], "no model file absent.pt"),
    (["fit", "GunPoint", "-o", "m.pt", "--device", "nonsense"],
     "The 'device' parameter must be a torch device, got 'nonsense'"),
])
def test_bad_input_exits_2_with_one_line(capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *argv, "-q")
    assert code == 2
    assert err.startswith(f"inceptionsk: error: {message}")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_a_malformed_file_is_reported_with_its_line(capsys, tmp_path):
    folder = write_toy_pair(tmp_path)
    lines = (folder / "Toy_TRAIN.ts").read_text().splitlines()
    lines[12] = lines[12].replace(",", ":", 1)
    (folder / "Toy_TRAIN.ts").write_text("\n".join(lines))
    code, _, err = run(capsys, "fit", str(folder), "-o", str(tmp_path / "m"), "-q")
    assert code == 2
    assert err == "inceptionsk: error: Toy_TRAIN.ts line 13: expected 1 channel, found 2\n"


def test_a_file_that_is_no_model_exits_2(capsys, tmp_path):
    (tmp_path / "garbage.pt").write_bytes(b"not a model at all")
    code, _, err = run(capsys, "evaluate", str(tmp_path / "garbage.pt"), "GunPoint")
    assert code == 2 and err.startswith(
        f"inceptionsk: error: {tmp_path / 'garbage.pt'} is not a model saved by inceptionsk.save")
    # a pickle, which could run code when loaded, is refused too
    joblib.dump({"weights": [1, 2]}, tmp_path / "dict.joblib")
    code, _, err = run(capsys, "predict", str(tmp_path / "dict.joblib"), "GunPoint")
    assert code == 2 and "is not a model saved by inceptionsk.save" in err


def test_the_model_file_loads_in_python(toy_model):
    folder, model_path = toy_model
    from inceptionsk import load
    from inceptionsk.datasets import load_dataset

    X_test = load_dataset(str(folder), split="test").data
    np.testing.assert_array_equal(load(model_path).predict_proba(X_test),
                                  cli.load_model(model_path).predict_proba(X_test))


def test_data_that_does_not_fit_the_model_exits_2(capsys, toy_model):
    _, model = toy_model
    code, _, err = run(capsys, "evaluate", str(model), "BasicMotions", "-q")
    assert code == 2 and "X has 6 channels, but InceptionTimeClassifier was fitted on 1" in err


def test_other_failures_exit_1(capsys, toy_model, monkeypatch):
    """A failure that is not the input's (here a broken device) exits 1 with one line."""
    _, model = toy_model

    def fail(self, X):
        raise RuntimeError("the accelerator caught fire")

    monkeypatch.setattr(InceptionTimeClassifier, "predict", fail)
    code, _, err = run(capsys, "evaluate", str(model), "GunPoint", "-q")
    assert code == 1
    assert err == "inceptionsk: error: RuntimeError: the accelerator caught fire\n"


def test_a_training_that_diverges_exits_1_and_bad_values_exit_2(capsys, tmp_path):
    """Both raise a ValueError: values of 1e30 are valid float32 input, but training on
    them turns the network into NaN, a failure while training (1); a NaN in the data is
    bad input (2)."""
    for code in (1, 2):
        folder = tmp_path / f"Huge{code}"
        folder.mkdir()
        for split, seed in (("TRAIN", 0), ("TEST", 1)):
            X, y = toy_series(16, seed=seed)
            X *= np.float32(1e30)
            if code == 2:
                X[3, 0, 5] = np.nan
            write_ts(folder / f"Huge{code}_{split}.ts", X, y)
        exit_code, _, err = run(capsys, "fit", str(folder), "-o", str(tmp_path / "m.pt"),
                                "-q", *TINY_OPTIONS)
        assert exit_code == code, err
        assert err.startswith("inceptionsk: error: ") and err.count("\n") == 1
        advice = "training diverged" if code == 1 else "1 NaN value(s)"
        assert advice in err
        assert ("--scale z-normalises" in err) == (code == 1)
    assert not (tmp_path / "m.pt").exists()


def test_usage_errors_exit_2_and_help_exits_0(capsys):
    assert cli.main(["fit", "GunPoint"]) == 2  # no --output
    assert "required: --output" in capsys.readouterr().err
    assert cli.main(["fit", "GunPoint", "-o", "m", "--max-epochs", "0"]) == 2
    assert "must be a positive integer, got 0" in capsys.readouterr().err
    assert cli.main(["frobnicate"]) == 2
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("inceptionsk 0.")
    assert cli.main(["--help"]) == 0
    assert "Exit codes: 0 success, 2 usage error or bad input, 1 other failure." in (
        capsys.readouterr().out.replace("\n", " "))


def test_python_dash_m_and_the_console_script_entry_point(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "inceptionsk", "evaluate", "m", "Nope"],
                          env=env, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == "inceptionsk: error: no model file m\n"
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    module, _, function = scripts["inceptionsk"].partition(":")
    assert getattr(import_module(module), function) is cli.main


def test_series_of_unequal_length(capsys, tmp_path):
    folder = tmp_path / "Ragged"
    folder.mkdir()
    rng = np.random.RandomState(0)
    for split in ("TRAIN", "TEST"):
        X = [rng.normal(size=(2, length)).astype(np.float32) for length in (5, 7, 5, 9)]
        write_ts(folder / f"Ragged_{split}.ts", X, np.array(["a", "b", "a", "b"]))
    model = tmp_path / "ragged.pt"
    code, _, err = run(capsys, "fit", str(folder), "-o", str(model), *TINY_OPTIONS)
    assert code == 0
    assert "Loaded Ragged (train split): 4 series of 2 channel(s), unequal length 5-9" in err
    code, out, _ = run(capsys, "evaluate", str(model), str(folder), "-q")
    assert code == 0 and out.startswith("Ragged, test split (4 cases)")


def test_the_fast_recipe_option(toy_model, tmp_path):
    folder, _ = toy_model
    model = tmp_path / "fast.pt"
    assert cli.main(["fit", str(folder), "-o", str(model), "-q", "--lr-schedule", "one_cycle",
                     *TINY_OPTIONS]) == 0
    assert cli.load_model(model).get_params()["lr_schedule"] == "one_cycle"


def test_a_nan_padded_ucr_folder_trains_with_trim_trailing_nan(capsys, tmp_path):
    """The UCR archive's variable-length layout: refused with advice, then trained."""
    folder = tmp_path / "Padded"
    folder.mkdir()
    rng = np.random.RandomState(0)
    for split in ("TRAIN", "TEST"):
        lines = [
            "\t".join([label, *(f"{v:.3f}" for v in rng.normal(size=length)),
                       *["NaN"] * (12 - length)])
            for label, length in zip("abab", (12, 8, 10, 9), strict=True)
        ]
        (folder / f"Padded_{split}.tsv").write_text("\n".join(lines) + "\n")
    model = str(tmp_path / "padded.pt")
    code, _, err = run(capsys, "fit", str(folder), "-o", model, "-q", *TINY_OPTIONS)
    assert code == 2 and "the UCR archive's layout of series of unequal length" in err
    code, _, err = run(capsys, "fit", str(folder), "-o", model, "--trim-trailing-nan",
                       *TINY_OPTIONS)
    assert code == 0
    assert "4 series of 1 channel(s), unequal length 8-12" in err
    code, out, _ = run(capsys, "predict", model, str(folder), "-q", "--trim-trailing-nan")
    assert code == 0 and len(out.splitlines()) == 5  # a header and 4 cases


def test_class_weight_validation_and_early_stopping_options(capsys, tmp_path):
    folder = write_toy_pair(tmp_path, n_train=24)
    options = ["--class-weight", "balanced", "--validation-fraction", "0.25",
               "--n-iter-no-change", "2"]
    model_path = tmp_path / "m.pt"
    assert cli.main(["fit", str(folder), "-o", str(model_path), "-q", *TINY_OPTIONS, *options]) == 0
    model = cli.load_model(model_path)
    params = model.get_params()
    assert (params["class_weight"], params["validation_fraction"],
            params["n_iter_no_change"]) == ("balanced", 0.25, 2)
    assert {"valid_loss", "valid_acc"} <= set(model.estimators_[0].history_[-1])
    code, out, _ = run(capsys, "cv", str(folder), "--folds", "2", "-q", *TINY_OPTIONS, *options)
    assert code == 0 and "mean accuracy" in out
    code, _, err = run(capsys, "fit", str(folder), "-o", str(model_path), "-q",
                       "--validation-fraction", "1")
    assert code == 2
    assert "argument --validation-fraction: must be a fraction between 0 and 1, got 1" in err


def test_export_writes_an_onnx_graph_of_the_model(capsys, toy_model, tmp_path):
    import onnxruntime

    from inceptionsk.datasets import load_dataset

    folder, model_path = toy_model
    output = tmp_path / "toy.onnx"
    code, out, err = run(capsys, "export", str(model_path), str(output))
    assert code == 0 and out == ""
    assert err == (f"Wrote {output}: input 'series' float32 (batch, 1, 24); outputs label, "
                   "probabilities\n")
    X_test = load_dataset(str(folder), split="test").data
    label, proba = onnxruntime.InferenceSession(str(output)).run(None, {"series": X_test})
    model = cli.load_model(model_path)
    np.testing.assert_allclose(proba, model.predict_proba(X_test), rtol=0, atol=1e-5)
    np.testing.assert_array_equal(label, model.predict(X_test))


def test_export_of_a_scaled_model_and_of_one_it_cannot_export(capsys, tmp_path):
    """--scale's Pipeline exports with its scaling; a model of unequal lengths exits 2."""
    folder = write_toy_pair(tmp_path)
    scaled = tmp_path / "scaled.pt"
    assert cli.main(["fit", str(folder), "-o", str(scaled), "-q", "--scale", *TINY_OPTIONS]) == 0
    assert cli.main(["export", str(scaled), str(tmp_path / "scaled.onnx"), "-q"]) == 0
    assert (tmp_path / "scaled.onnx").stat().st_size > 0
    ragged = tmp_path / "Ragged"
    ragged.mkdir()
    X = [np.ones((1, length), dtype=np.float32) * length for length in (5, 7, 5, 9)]
    write_ts(ragged / "Ragged_TRAIN.ts", X, np.array(["a", "b", "a", "b"]))
    assert cli.main(["fit", str(ragged / "Ragged_TRAIN.ts"), "-o", str(tmp_path / "r.pt"),
                     "-q", *TINY_OPTIONS]) == 0
    capsys.readouterr()
    code, _, err = run(capsys, "export", str(tmp_path / "r.pt"), str(tmp_path / "r.onnx"))
    assert code == 2 and err.count("\n") == 1
    assert "was fitted on series of unequal lengths" in err


@pytest.mark.parametrize("name", list(cli.MODELS))
def test_each_model_of_the_family_trains_and_names_its_published_accuracy(name, capsys,
                                                                           tmp_path):
    """--model picks the estimator and its parameters; evaluate recognises the saved model
    and prints that model's published accuracy."""
    model = tmp_path / f"{name}.pt"
    assert cli.main(["fit", "GunPoint", "-o", str(model), "-q", "--model", name,
                     *TINY_OPTIONS]) == 0
    fitted = inceptionsk.load(model)
    choice = cli.MODELS[name]
    assert type(fitted) is choice.estimator
    assert all(getattr(fitted, key) == value for key, value in choice.params.items())
    assert cli.model_choice(fitted) == name
    code, out, _ = run(capsys, "evaluate", str(model), "GunPoint")
    assert code == 0
    assert f"published {choice.published} accuracy (UCR2018, 5 networks x 1500 epochs): " \
           f"{published_accuracy('GunPoint', model=choice.published):.4f}" in out


def _fit_onto_an_earlier_model(toy_model, tmp_path):
    """(argv of a fit that saves onto a copy of toy_model's file, that path, its bytes)."""
    folder, model = toy_model
    path = tmp_path / "model.pt"
    path.write_bytes(model.read_bytes())
    return (["fit", str(folder), "-o", str(path), "-q", *TINY_OPTIONS], path,
            model.read_bytes())


def _assert_earlier_model_kept(path, earlier):
    assert os.listdir(path.parent) == [path.name], "no temporary file left behind"
    assert path.read_bytes() == earlier
    assert isinstance(cli.load_model(path), InceptionTimeClassifier)


def test_fit_on_a_full_disk_keeps_the_earlier_model(capsys, toy_model, tmp_path):
    argv, path, earlier = _fit_onto_an_earlier_model(toy_model, tmp_path)
    with full_disk():
        code, _, err = run(capsys, *argv)
    assert code == 1
    assert err.startswith(
        f"inceptionsk: error: OSError: [Errno {errno.ENOSPC}] inceptionsk.save could not "
        f"write {path}: No space left on device. Nothing was written there: a file that "
        "was at that path is unchanged."
    ), err
    _assert_earlier_model_kept(path, earlier)


def test_fit_past_the_file_size_limit_keeps_the_earlier_model(toy_model, tmp_path):
    """In a process whose files may not grow past half the model's size (SIGXFSZ
    ignored, so the write fails with EFBIG instead of killing the process)."""
    argv, path, earlier = _fit_onto_an_earlier_model(toy_model, tmp_path)

    def limit_file_size():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (len(earlier) // 2, resource.RLIM_INFINITY))

    done = subprocess.run([sys.executable, "-m", "inceptionsk", *argv], capture_output=True,
                          text=True, timeout=300, preexec_fn=limit_file_size)
    assert done.returncode == 1
    assert (f"inceptionsk: error: OSError: [Errno {errno.EFBIG}] inceptionsk.save could not "
            f"write {path}: File too large.") in done.stderr, done.stderr
    _assert_earlier_model_kept(path, earlier)
