"""predict_proba from several threads at once: the same results as one thread.

Scoring runs a batch-norm-folded copy of each network, made on the first call and cached
in a module-level dictionary (single_network._folded); threads that score a fresh model
at the same moment each fold it and race to store it. Every copy computes the same, so
no thread sees another's half-made state.
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from conftest import make

from inceptionsk import InceptionTimeClassifier, LITETimeClassifier, load


@pytest.mark.parametrize("cls", [InceptionTimeClassifier, LITETimeClassifier])
def test_predict_proba_from_eight_threads_equals_one_thread(cls, japanese_vowels, tmp_path):
    """JapaneseVowels (12 channels, series of 7 to 29 steps: the padded path), on a
    model whose folded copies are not yet made (loaded fresh), 8 threads x 2 calls."""
    X_train, y_train, X_test, _ = japanese_vowels
    model = make(cls, n_estimators=2, max_epochs=2).fit(X_train[:60], y_train[:60])
    model.save(tmp_path / "model.pt")
    expected = model.predict_proba(X_test[:80])
    for _ in range(3):  # fresh caches each time: the folding itself races
        fresh = load(tmp_path / "model.pt")
        with ThreadPoolExecutor(max_workers=8) as pool:
            calls = [pool.submit(fresh.predict_proba, X_test[:80]) for _ in range(16)]
            results = [call.result() for call in calls]
        for result in results:
            np.testing.assert_array_equal(result, expected)
