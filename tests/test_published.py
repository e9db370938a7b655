"""Tests of the published InceptionTime accuracies shipped in the package."""

import numpy as np
import pytest

from inceptionsk.datasets import (
    TSER_MODELS,
    load_published_results,
    published_accuracy,
    published_result,
    published_rmse,
    published_single_runs,
)


def test_the_table_matches_the_paper_anchors():
    results = load_published_results()
    ucr = [row.accuracy for row in results if row.archive == "UCR2018"]
    uea = [row for row in results if row.archive == "UEA2018"]
    # DESIGN.md: 128 UCR datasets with a mean of 0.8436, and 30 UEA datasets
    assert len(ucr) == 128 and len(uea) == 30
    assert np.mean(ucr) == pytest.approx(0.8436, abs=5e-5)
    assert all(0 < row.accuracy <= 1 and row.train_time_s > 0 for row in results)


@pytest.mark.parametrize(("name", "expected"), [
    ("GunPoint", 1.0), ("gunpoint", 1.0), ("ItalyPowerDemand", 0.965),
    ("BasicMotions", 1.0), ("JapaneseVowels", 0.9919), ("NotADataset", None),
])
def test_published_accuracy(name, expected):
    assert published_accuracy(name) == expected


def test_a_name_in_both_archives_needs_telling_apart():
    with pytest.raises(ValueError, match="'Phoneme' is in several archives"):
        published_accuracy("Phoneme")
    assert published_accuracy("Phoneme", archive="UCR2018") == 0.3412
    assert published_accuracy("Phoneme", n_channels=1) == 0.3412
    assert published_result("Phoneme", n_channels=11).archive == "UEA2018"
    assert published_result("GunPoint", n_channels=3).archive == "UCR2018"


def test_the_single_runs_make_the_ensembles_table():
    """Five runs for each of the 128 UCR datasets; the ensemble's accuracy lies near them
    (an ensemble may beat its best member, rarely by much)."""
    ucr = [row for row in load_published_results() if row.archive == "UCR2018"]
    for row in ucr:
        runs = published_single_runs(row.dataset)
        assert len(runs) == 5, row.dataset
        assert min(runs) - 0.1 <= row.accuracy <= max(runs) + 0.1, row.dataset
    assert published_single_runs("gunpoint") == (1.0,) * 5
    assert published_single_runs("BasicMotions") is None  # UEA: not published


def test_the_tser_table():
    assert published_rmse("BeijingPM10Quality") == published_rmse("BeijingPM10Quality_nmv")
    assert published_rmse("AustraliaRainfall") is None  # not in the ensemble's study
    assert published_rmse("AustraliaRainfall", model="Inception") > 0
    assert all(published_rmse("Covid3Month", model=model) > 0 for model in TSER_MODELS)
    with pytest.raises(ValueError, match="model must be one of"):
        published_rmse("Covid3Month", model="InceptionTime")
