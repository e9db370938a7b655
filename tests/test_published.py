"""Tests of the published InceptionTime accuracies shipped in the package."""

import numpy as np
import pytest

from inceptionsk.datasets import load_published_results, published_accuracy, published_result


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
