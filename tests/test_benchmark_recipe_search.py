"""Runs benchmarks/recipe_search.py with a tiny budget, so that the search script never
rots: networks of each variant and seed, a resumed run, the ensembles' report."""

import copy
import csv
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import load_benchmark
from toy_data import write_regression_ts

from inceptionsk import InceptionNetworkClassifier, InceptionNetworkRegressor
from inceptionsk.datasets import load_dataset, published_rmse

DATA = Path(__file__).resolve().parents[1] / "benchmarks" / "data"


@pytest.fixture(scope="module")
def script():
    return load_benchmark("recipe_search")


def test_networks_of_each_variant_resume_and_report(script, tmp_path, capsys):
    out = tmp_path / "search"
    options = [str(DATA), "--datasets", "ItalyPowerDemand.npz", "--variants",
               "e1,glorot-e2-bf16", "--seeds", "0-1", "--out", str(out)]
    script.main(options)
    with open(out / "networks.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [(r["variant"], r["seed"], r["epochs"]) for r in rows] == [
        ("e1", "0", "1"), ("e1", "1", "1"), ("glorot-e2-bf16", "0", "2"),
        ("glorot-e2-bf16", "1", "2")]
    saved = np.load(out / "ItalyPowerDemand__e1__0.npz", allow_pickle=True)
    assert saved["proba"].shape == (len(saved["y_test"]), 2)
    capsys.readouterr()
    script.main(options)  # everything is there: nothing trains again
    assert capsys.readouterr().out == ""
    script.main(["--report", "--out", str(out), "--ks", "1,2"])
    report = capsys.readouterr().out
    assert "ItalyPowerDemand" in report and "glorot-e2-bf16 k=2" in report
    assert "mean difference" in report


def test_a_regression_set_trains_regressors_on_the_series_as_stored_and_reports_rmse_ratios(
        script, tmp_path, capsys):
    # a TSER-layout set named after Covid3Month, so that InceptionE's RMSE is looked up
    rng = np.random.RandomState(0)
    folder = tmp_path / "TSER" / "Covid3Month"
    folder.mkdir(parents=True)
    for split, n_cases in (("TRAIN", 20), ("TEST", 10)):
        X = 50 + 10 * rng.normal(size=(n_cases, 1, 16))  # far from z-normalised
        write_regression_ts(folder / f"Covid3Month_{split}.ts", X, X[:, 0, :4].sum(axis=1))
    out = tmp_path / "search"
    script.main([str(tmp_path / "TSER"), "--datasets", "Covid3Month", "--variants", "e1",
                 "--seeds", "0-1", "--out", str(out)])
    with open(out / "networks.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [(r["seed"], r["accuracy"]) for r in rows] == [("0", ""), ("1", "")]
    saved = [np.load(out / f"Covid3Month__e1__{seed}.npz") for seed in (0, 1)]
    X_test, y_test = load_dataset(folder, split="test", return_X_y=True)
    np.testing.assert_array_equal(saved[0]["y_test"], y_test)
    # the series reach the regressor as stored: the same seed on them predicts the same
    stored = InceptionNetworkRegressor(random_state=0, device="cpu", **script.variant_params(
        "e1", 20)).fit(*load_dataset(folder, split="train", return_X_y=True))
    np.testing.assert_allclose(saved[0]["prediction"], stored.predict(X_test), rtol=1e-5)
    rmses = [np.sqrt(np.mean((data["prediction"] - y_test) ** 2)) for data in saved]
    assert [float(r["rmse"]) for r in rows] == pytest.approx(rmses)

    capsys.readouterr()
    script.main(["--report", "--out", str(out), "--ks", "1,2"])
    report = capsys.readouterr().out
    pair = np.sqrt(np.mean((np.mean([d["prediction"] for d in saved], axis=0) - y_test) ** 2))
    ratios = [np.mean(rmses) / published_rmse("Covid3Month"), pair / published_rmse("Covid3Month")]
    line = next(line for line in report.splitlines() if line.startswith("Covid3Month"))
    assert [float(cell) for cell in line.split()[2:]] == pytest.approx(ratios, abs=5e-4)
    assert "mean RMSE ratio to InceptionE" in report and "mean difference" not in report
    with pytest.raises(ValueError, match="regression: leave --snapshots out"):
        script.main([str(tmp_path / "TSER"), "--datasets", "Covid3Month", "--variants", "e2",
                     "--snapshots", "1", "--out", str(out)])


def test_a_row_appended_to_an_older_csv_keeps_that_files_columns(tmp_path):
    resumable = load_benchmark("resumable")
    path = tmp_path / "networks.csv"
    resumable.append_row(path, {"a": 1, "b": 2}, ["a", "b"])
    # the script has since gained the column "c": the row still lines up with the header
    resumable.append_row(path, {"a": 3, "b": 4}, ["a", "b", "c"])
    assert path.read_text().splitlines() == ["a,b", "1,2", "3,4"]
    with pytest.raises(ValueError, match="'c'"):
        resumable.append_row(path, {"a": 5, "b": 6, "c": 7}, ["a", "b", "c"])


def test_variant_names_set_the_recipe(script):
    params = script.variant_params("glorot-s600-bf16-plateau", n_train=130)
    assert params == dict(lr_schedule="plateau", max_epochs=200, precision="bfloat16",
                          weight_init="glorot")
    # 16-case batches: 130 cases are 9 batches an epoch, so 600 steps take 67 epochs
    assert script.variant_params("b16-s600", n_train=130) == dict(
        lr_schedule="one_cycle", max_epochs=67, precision="float32", batch_size=16)
    assert script.variant_params("e300-huber0.1", n_train=130) == dict(
        lr_schedule="one_cycle", max_epochs=300, precision="float32", loss="huber",
        epsilon=0.1)
    assert script.variant_params("l1", n_train=130)["loss"] == "absolute_error"
    with pytest.raises(ValueError, match="unknown variant part 'x'"):
        script.variant_params("x", n_train=10)


def test_the_batch_norm_epsilon_variant_reaches_every_batch_norm(script):
    params = script.variant_params("bneps3-e1", n_train=20)
    (callback,) = params["callbacks"]
    assert callback.attributes == {"eps": pytest.approx(1e-3)}
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 1, 30)).astype(np.float32), np.arange(20) % 2
    clf = InceptionNetworkClassifier(random_state=0, n_filters=4, depth=3, **params).fit(X, y)
    norms = [m for m in clf.module_.modules() if isinstance(m, torch.nn.BatchNorm1d)]
    assert norms and all(m.eps == pytest.approx(1e-3) for m in norms)


def test_the_keras_architecture_variant_changes_kernels_and_shortcuts_only_inside(script):
    from inceptionsk.network import InceptionTime

    assert script.variant_params("karch-e1", n_train=20)["_keras_architecture"] is True
    with script.keras_architecture():
        keras_net = InceptionTime(1, 3)
    block = keras_net.inceptionblock
    assert [c.kernel_size[0] for c in block.inception[1].convs] == [40, 20, 10]
    assert all(isinstance(s, torch.nn.Sequential) and isinstance(s[0], torch.nn.Conv1d)
               for s in block.shortcut)
    # an odd series length keeps its length through the even kernels' 'same' padding
    assert keras_net(torch.randn(2, 1, 37)).shape == (2, 3)
    assert keras_net.inceptionblock(torch.randn(2, 1, 37)).shape == (2, 128, 37)
    # outside the block, the package's (tsai's) network again
    tsai_net = InceptionTime(1, 3)
    assert [c.kernel_size[0] for c in tsai_net.inceptionblock.inception[1].convs] == [39, 19, 9]
    assert isinstance(tsai_net.inceptionblock.shortcut[1], torch.nn.BatchNorm1d)
    # one more tap per kernel (the first module on 1 channel, five on the 32-channel
    # bottleneck) and the second shortcut's 128 x 128 convolution
    extra = 3 * 32 * 1 + 5 * (3 * 32 * 32) + 128 * 128
    assert sum(p.numel() for p in keras_net.parameters()) == (
        sum(p.numel() for p in tsai_net.parameters()) + extra)


def test_the_keras_defaults_variant_sets_batch_norm_and_adam(script):
    (momentum,) = script.variant_params("bnmom0.01-e1", n_train=20)["callbacks"]
    assert momentum.attributes == {"momentum": pytest.approx(0.01)}
    params = script.variant_params("keras-e1", n_train=20)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 1, 30)).astype(np.float32), np.arange(20) % 2
    clf = InceptionNetworkClassifier(random_state=0, n_filters=4, depth=3, **params).fit(X, y)
    norms = [m for m in clf.module_.modules() if isinstance(m, torch.nn.BatchNorm1d)]
    assert norms and all((m.eps, m.momentum) == (1e-3, 0.01) for m in norms)
    assert {g["eps"] for g in clf.net_.optimizer_.param_groups} == {1e-7}


def test_snapshots_score_as_the_estimator_does_also_on_unequal_lengths(script):
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(2, n)).astype(np.float32) for n in rng.integers(20, 40, size=24)]
    y = np.arange(24) % 3
    snapshots = script.TestSnapshots(X, every=2)
    clf = InceptionNetworkClassifier(
        random_state=0, n_filters=4, depth=3, max_epochs=4, lr_schedule="plateau",
        callbacks=[snapshots]).fit(X, y)
    assert snapshots.epochs_ == [2, 4]
    assert 1 <= snapshots.best_epoch_[0] <= 2 and snapshots.best_epoch_[0] <= \
        snapshots.best_epoch_[1] <= 4
    # the last snapshot's kept weights are the ones the fit kept, scored as predict does
    np.testing.assert_allclose(snapshots.best_[-1], clf.predict_proba(X), atol=1e-5)
    assert snapshots.current_[0].shape == (24, 3)
    np.testing.assert_allclose(snapshots.current_[0].sum(axis=1), 1, rtol=1e-5)


def test_a_run_with_snapshots_saves_and_reports_them(script, tmp_path, capsys):
    out = tmp_path / "search"
    script.main([str(DATA), "--datasets", "ItalyPowerDemand.npz", "--variants",
                 "e4-plateau", "--seeds", "0", "--out", str(out), "--snapshots", "2"])
    saved = np.load(out / "ItalyPowerDemand__e4-plateau__0.snapshots.npz")
    final = np.load(out / "ItalyPowerDemand__e4-plateau__0.npz", allow_pickle=True)
    assert list(saved["epochs"]) == [2, 4] and len(saved["train_loss"]) == 4
    # the last snapshot's kept weights are the weights the run kept
    np.testing.assert_allclose(saved["best"][-1], final["proba"], atol=1e-5)
    capsys.readouterr()
    script.main(["--snapshot-report", "--out", str(out), "--ks", "2"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("ItalyPowerDemand e4-plateau seed 0 (paper 0.965")
    assert lines[1].split() == ["epoch", "2", "4"]
    paper = 0.965
    accuracy = np.mean(final["classes"][final["proba"].argmax(1)] == final["y_test"])
    assert lines[2].split()[-1] == f"{accuracy - paper:+.3f}"
    assert lines[-1].split()[:3] == ["last", "2", "current"] and len(lines[-1].split()) == 4


def test_the_snapshot_summary_scores_the_kept_the_last_and_each_window(script, tmp_path,
                                                                        capsys):
    out = tmp_path / "search"
    script.main([str(DATA), "--datasets", "ItalyPowerDemand.npz", "--variants",
                 "e6-plateau", "--seeds", "0", "--out", str(out), "--snapshots", "2",
                 "--windows", "4:2,6:2,500:100"])
    saved = np.load(out / "ItalyPowerDemand__e6-plateau__0.snapshots.npz", allow_pickle=True)
    classes, y_test, paper = saved["classes"], saved["y_test"], 0.965

    def difference(proba):
        return f"{np.mean(classes[proba.argmax(1)] == y_test) - paper:+.3f}"

    capsys.readouterr()
    script.main(["--snapshot-summary", "--variants", "e6-plateau", "--out", str(out),
                 "--windows", "4:2,6:3,6:2"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[3:] == ["kept", "last", "4:2", "6:3", "6:2",
                                    "swa4:2", "swa6:3", "swa6:2"]
    cells = lines[1].split()
    assert cells[:3] == ["ItalyPowerDemand", "0", "0.965"]
    current = saved["current"]  # epochs 2, 4, 6
    # the run saved the weight averages of its windows with snapshots (not 500:100)
    assert saved["swa_windows"].tolist() == [[4, 2], [6, 2]]
    swa = dict(zip(map(tuple, saved["swa_windows"]), saved["swa"], strict=True))
    assert cells[3:] == [
        difference(saved["best"][-1]), difference(current[-1]),
        difference(current[1:].mean(axis=0)),  # epochs 4 and 6 (within the last 4)
        difference(current[-1]),  # epoch 6 alone is a multiple of 3
        difference(current.mean(axis=0)),
        difference(swa[(4, 2)]), difference(swa[(6, 2)]),
    ]
    assert len(lines) == 2  # no weight average of 6:3: no run has every column to average
    capsys.readouterr()
    script.main(["--snapshot-summary", "--variants", "e6-plateau", "--out", str(out),
                 "--windows", "4:2"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].split()[:4] == ["mean", "of", "1", "runs"]
    np.testing.assert_allclose([float(c) for c in lines[-1].split()[4:]],
                               [float(c) for c in lines[1].split()[3:]], atol=5e-4)


def test_weight_averages_average_the_weights_and_measure_batch_norm_again(script):
    X, y = load_dataset(DATA / "ItalyPowerDemand.npz", split="train", return_X_y=True)
    snapshots = script.TestSnapshots(X[:10], every=1, X_train=X, windows=[(2, 1)])
    clf = InceptionNetworkClassifier(max_epochs=2, random_state=0, device="cpu",
                                     callbacks=[snapshots]).fit(X, y)
    assert snapshots.swa_windows_ == [(2, 1)] and snapshots.swa_[0].shape == (10, 2)
    module = clf.net_.module_
    first, second = (dict(module.named_parameters()) for _ in range(2))
    first = {name: torch.randn_like(p) for name, p in first.items()}
    second = {name: torch.randn_like(p) for name, p in second.items()}
    buffers = dict(module.named_buffers())
    averaged = snapshots._averaged(module, [{**buffers, **first}, {**buffers, **second}])
    for name, parameter in averaged.named_parameters():
        torch.testing.assert_close(parameter, (first[name] + second[name]) / 2)
    # every batch norm's running mean is the mean of its inputs over the training cases
    norm_inputs = {}
    inspected = copy.deepcopy(averaged).train()  # the inputs of the measuring pass
    norms = {name: m for name, m in inspected.named_modules()
             if isinstance(m, torch.nn.BatchNorm1d)}
    for name, norm in norms.items():
        norm.register_forward_pre_hook(
            lambda m, args, name=name: norm_inputs.setdefault(name, args[0].detach()))
    with torch.no_grad():
        inspected(torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32)))
    assert len(norm_inputs) == len(norms) > 0
    for name, norm in averaged.named_modules():
        if name in norms:
            channels = norm_inputs[name].transpose(0, 1).reshape(norm.num_features, -1)
            torch.testing.assert_close(norm.running_mean, channels.mean(dim=1),
                                       rtol=1e-5, atol=1e-3)
