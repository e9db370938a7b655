"""Runs benchmarks/recipe_search.py with a tiny budget, so that the search script never
rots: networks of each variant and seed, a resumed run, the ensembles' report."""

import csv
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import load_benchmark

from inceptionsk import InceptionNetworkClassifier

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


def test_variant_names_set_the_recipe(script):
    params = script.variant_params("glorot-s600-bf16-plateau", n_train=130)
    assert params == dict(lr_schedule="plateau", max_epochs=200, precision="bfloat16",
                          weight_init="glorot")
    with pytest.raises(ValueError, match="unknown variant part 'x'"):
        script.variant_params("x", n_train=10)


def test_the_batch_norm_epsilon_variant_reaches_every_batch_norm(script):
    params = script.variant_params("bneps3-e1", n_train=20)
    (callback,) = params["callbacks"]
    assert callback.eps == pytest.approx(1e-3)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 1, 30)).astype(np.float32), np.arange(20) % 2
    clf = InceptionNetworkClassifier(random_state=0, n_filters=4, depth=3, **params).fit(X, y)
    norms = [m for m in clf.module_.modules() if isinstance(m, torch.nn.BatchNorm1d)]
    assert norms and all(m.eps == pytest.approx(1e-3) for m in norms)
