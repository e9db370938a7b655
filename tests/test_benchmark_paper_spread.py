"""benchmarks/paper_spread.py: the paper's own single networks scored as runs of ours."""

import numpy as np
from conftest import load_benchmark

from inceptionsk.benchmark import BenchmarkResult
from inceptionsk.datasets import published_result, published_single_runs


def test_each_paper_network_is_summarised_against_the_official_table(tmp_path, capsys):
    script = load_benchmark("paper_spread")
    official = {name: published_result(name, archive="UCR2018").accuracy
                for name in ("Beef", "GunPoint")}
    rows = [{"dataset": name, "metric": "accuracy", "score": official[name] - 0.1,
             "published": official[name], "difference": -0.1, "n_test": n_test}
            for name, n_test in (("Beef", 30), ("GunPoint", 150))]
    rows.append({"dataset": "MyOwnData", "metric": "accuracy", "score": 0.5,
                 "published": 0.5, "difference": 0.0, "n_test": 10})
    BenchmarkResult(rows).to_csv(tmp_path / "ours.csv")
    rerun = tmp_path / "rerun.csv"
    rerun.write_text("dataset,again\nBeef,0.7\nGunPoint,0.99\n", encoding="utf-8")

    script.main([str(tmp_path / "ours.csv"), "--rerun", f"{rerun}:again"])
    printed = capsys.readouterr().out

    # the set without published single runs is left out of every run
    assert printed.startswith("2 UCR datasets of ")
    assert "more than 0.03 (or one test case) below on 2 (Beef -0.1000, GunPoint -0.1000)" \
        in printed
    for i in range(5):
        expected = np.mean([published_single_runs(name)[i] - official[name]
                            for name in official])
        section = printed.split(f"iteration {i}:\n")[1].split("\n\n")[0]
        assert f"mean difference (ours - published) {expected:+.4f}" in section
        assert "mean compute ratio 0.2" in section
    rerun_section = printed.split("published rerun (again):\n")[1]
    expected = np.mean([0.7 - official["Beef"], 0.99 - official["GunPoint"]])
    assert f"mean difference (ours - published) {expected:+.4f}" in rerun_section
    assert "mean compute ratio 1;" in rerun_section
