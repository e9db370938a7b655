"""Scoring runs a batch-norm-folded copy of the network, kept while its weights stay."""

import pickle

import numpy as np
import torch
from conftest import TINY

import inceptionsk
from inceptionsk import InceptionNetworkClassifier
from inceptionsk.single_network import _folded


def test_the_folded_copy_follows_the_weights(gunpoint):
    """The copy is made once, reused, and made again after any change of the weights or
    batch-norm statistics: training more, loading a state_dict, an in-place edit."""
    X_train, y_train, X_test, _ = gunpoint
    clf = InceptionNetworkClassifier(max_epochs=2, random_state=0, **TINY).fit(X_train, y_train)
    before = clf.predict_proba(X_test)
    folded = _folded(clf.module_)
    assert _folded(clf.module_) is folded, "reused while nothing changed"

    with torch.no_grad():  # an edit by hand, as a user loading other weights would make
        clf.module_.fc.bias.add_(torch.tensor([5.0, -5.0]))
    edited = clf.predict_proba(X_test)
    assert _folded(clf.module_) is not folded
    assert (edited[:, 0] > before[:, 0]).all()

    clf.module_.load_state_dict(InceptionNetworkClassifier(
        max_epochs=2, random_state=1, **TINY).fit(X_train, y_train).module_.state_dict())
    assert not np.allclose(clf.predict_proba(X_test), edited)

    clf.set_params(max_epochs=4).resume(X_train, y_train)  # training moves every weight
    assert not np.allclose(clf.predict_proba(X_test), before)


def test_the_estimator_keeps_no_copy(gunpoint, tmp_path):
    """Predicting leaves the estimator as it was (scikit-learn's rule); pickles and files
    hold the network once."""
    X_train, y_train, X_test, _ = gunpoint
    clf = InceptionNetworkClassifier(max_epochs=1, random_state=0, **TINY).fit(X_train, y_train)
    before = dict(vars(clf))
    expected = clf.predict_proba(X_test)  # makes the folded copy
    assert vars(clf) == before
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X_test), expected)
    clf.save(tmp_path / "model.pt")
    np.testing.assert_array_equal(inceptionsk.load(tmp_path / "model.pt").predict_proba(X_test),
                                  expected)
