"""Series of unequal lengths: padded with a mask, on JapaneseVowels (12 channels, 7-29 steps)."""


import numpy as np
import pytest
from conftest import SMALL

from inceptionsk import InceptionNetworkClassifier, InceptionTimeClassifier


@pytest.fixture(scope="module")
def fitted(japanese_vowels):
    X_train, y_train, _, _ = japanese_vowels
    settings = dict(SMALL, max_epochs=10)
    return InceptionTimeClassifier(n_estimators=1, random_state=0, **settings).fit(X_train, y_train)


def test_learns_japanese_vowels(fitted, japanese_vowels):
    """9 classes (chance 0.11); the paper reports 0.9919 with the full recipe."""
    _, _, X_test, y_test = japanese_vowels
    lengths = {case.shape[1] for case in X_test}
    assert len(lengths) > 10
    assert fitted.score(X_test, y_test) > 0.8
    assert fitted.n_channels_in_ == 12 and fitted.n_timepoints_in_ == 26  # longest in train


def test_a_case_scores_the_same_alone_and_among_longer_ones(fitted, japanese_vowels):
    """The mask keeps padding out: alone (unpadded) or padded in a batch, same probabilities."""
    _, _, X_test, _ = japanese_vowels
    together = fitted.predict_proba(list(X_test[:40]))
    for i in (0, 7, 33):
        alone = fitted.predict_proba(X_test[i][np.newaxis])  # a 3D array of one case
        np.testing.assert_allclose(alone[0], together[i], atol=1e-5)


def test_lists_of_univariate_series(rng):
    X = [rng.normal(size=length) for length in (20, 35, 27, 40, 22, 31)] * 3
    y = np.tile([0, 1, 1, 0, 1, 0], 3)
    clf = InceptionNetworkClassifier(random_state=0, **dict(SMALL, max_epochs=2)).fit(X, y)
    assert clf.predict_proba(X).shape == (18, 2)
    assert clf.predict(rng.normal(size=(3, 1, 55))).shape == (3,), "any length once fit ragged"


def test_unequal_lengths_need_an_unequal_length_fit(rng):
    clf = InceptionNetworkClassifier(random_state=0, **dict(SMALL, max_epochs=1))
    clf.fit(rng.normal(size=(10, 2, 30)), np.tile([0, 1], 5))
    ragged = [rng.normal(size=(2, 30)), rng.normal(size=(2, 25))]
    with pytest.raises(ValueError, match="unequal lengths .*25 to 30.* fitted on series of 30"):
        clf.predict(ragged)


def test_cases_with_different_channel_counts_are_refused(rng):
    X = [rng.normal(size=(2, 30)), rng.normal(size=(3, 25))]
    with pytest.raises(ValueError, match="case 0 has 2, case 1 has 3"):
        InceptionNetworkClassifier(max_epochs=1).fit(X, [0, 1])


def test_a_bad_case_is_named(rng):
    X = [rng.normal(size=(2, 30)), rng.normal(size=(2, 25))]
    X[1][0, 3] = np.nan
    with pytest.raises(ValueError, match="1 NaN value.*first at case 1, channel 0, time point 3"):
        InceptionNetworkClassifier(max_epochs=1).fit(X, [0, 1])
