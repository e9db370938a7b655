"""Every network of the family learns series as short as it accepts: 1 step (and 2).

sklearn's toy problems are series of 2 steps (2 features read as one channel), where
LITE with the authors' Keras alignment of its dilated layers saw nothing but padding and
predicted the same for every case (issue 17): :class:`inceptionsk.network.LITE` explains
the alignment, tests/test_network_family.py tests it at the layer level.
"""

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.utils.estimator_checks import check_classifiers_train

from inceptionsk import InceptionTimeClassifier, LITETimeClassifier

#: Default kernel sizes (40, where the alignment matters), fewer filters and a larger
#: learning rate to learn within a few seconds.
QUICK = dict(n_filters=8, batch_size=32, lr=0.01, max_epochs=20, random_state=0,
             device="cpu", n_estimators=1)

FAMILY = {
    "InceptionTime": lambda: InceptionTimeClassifier(depth=3, **QUICK),
    "H-InceptionTime": lambda: InceptionTimeClassifier(depth=3, use_custom_filters=True,
                                                       **QUICK),
    "LITETime": lambda: LITETimeClassifier(**QUICK),
    "LITEMV": lambda: LITETimeClassifier(use_litemv=True, **QUICK),
}

#: Three well-separated classes on a line, or in the plane.
CENTRES = {1: [[-3.0], [0.0], [3.0]], 2: [[-3.0, -3.0], [0.0, 3.0], [3.0, -3.0]]}


@pytest.mark.parametrize("length", [1, 2])
@pytest.mark.parametrize("name", FAMILY)
def test_the_family_learns_the_shortest_series(name, length):
    X, y = make_blobs(150, centers=CENTRES[length], cluster_std=0.5, random_state=0)
    X = X.astype(np.float32)  # (150, length): one channel of `length` steps
    clf = FAMILY[name]().fit(X, y)
    losses = clf.estimators_[0].history_[:, "train_loss"]
    assert losses[-1] < 0.5 * np.log(3), f"loss stuck near ln 3: {losses}"
    assert clf.score(X, y) > 0.9


def test_lite_passes_sklearns_training_check_at_a_quick_look():
    """scikit-learn's check_classifiers_train (blobs as series of 2 steps, accuracy > 0.83)
    at the settings of a quick first look: default network sizes, 2 members, 20 epochs.
    It failed with Keras' alignment (accuracy 1/3: the same prediction for every case).
    LITEMV shares the dilated layers; the test above trains it at 1 and 2 steps."""
    clf = LITETimeClassifier(n_estimators=2, max_epochs=20, random_state=0, device="cpu")
    check_classifiers_train(type(clf).__name__, clf)
