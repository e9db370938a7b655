"""Embeddings as ``transform``: the globally pooled features, a fitted estimator as a
feature extractor in a Pipeline (sklearn's transformer checks run in test_common.py)."""

import io

import numpy as np
import pandas as pd
import pytest
from conftest import SMALL, TINY, make
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

import inceptionsk
from inceptionsk import (
    InceptionNetworkClassifier,
    InceptionNetworkRegressor,
    InceptionTimeClassifier,
    InceptionTimeRegressor,
    LITENetworkRegressor,
    LITETimeClassifier,
    _base,
    _features,
    _tasks,
    _validation,
)


@pytest.fixture(scope="module")
def pipeline(gunpoint):
    """InceptionTime (2 small networks, 80 one-cycle epochs) feeding a LogisticRegression,
    fitted on GunPoint's train split: the ensemble is trained by the Pipeline's
    fit_transform."""
    X_train, y_train, _, _ = gunpoint
    ensemble = InceptionTimeClassifier(n_estimators=2, max_epochs=80, lr_schedule="one_cycle",
                                       random_state=0, **SMALL)
    return make_pipeline(ensemble, LogisticRegression(max_iter=1000)).fit(X_train, y_train)


def test_a_logistic_regression_on_the_embeddings_scores_like_the_estimator(pipeline, gunpoint):
    """Measured: the ensemble 0.9733 on the test split, the LogisticRegression 0.9600."""
    _, _, X_test, y_test = gunpoint
    ensemble_accuracy = pipeline[0].score(X_test, y_test)
    embeddings_accuracy = pipeline.score(X_test, y_test)
    assert ensemble_accuracy > 0.9
    assert abs(embeddings_accuracy - ensemble_accuracy) <= 0.04


def test_an_ensemble_puts_its_members_embeddings_side_by_side(pipeline, gunpoint):
    ensemble = pipeline[0]
    X = gunpoint[2][:20]
    embeddings = ensemble.transform(X)
    assert embeddings.shape == (20, 2 * 4 * SMALL["n_filters"]) and embeddings.dtype == np.float32
    np.testing.assert_array_equal(
        embeddings, np.hstack([member.transform(X) for member in ensemble.estimators_])
    )
    assert (embeddings >= 0).all()  # the average of ReLU outputs


def test_the_embeddings_are_the_input_of_each_networks_head(pipeline, gunpoint):
    """Each member's linear head on its embeddings gives its logits: their softmax,
    averaged over the members, is the ensemble's predict_proba."""
    ensemble = pipeline[0]
    X = gunpoint[2][:20]
    probabilities = []
    for member in ensemble.estimators_:
        head = member.module_.fc
        logits = member.transform(X).astype(np.float64) @ head.weight.detach().numpy().T
        logits += head.bias.detach().numpy()
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        probabilities.append(exp / exp.sum(axis=1, keepdims=True))
    np.testing.assert_allclose(np.mean(probabilities, axis=0), ensemble.predict_proba(X),
                               atol=1e-6)


def test_feature_names_and_pandas_output(gunpoint):
    X_train, y_train, _, _ = gunpoint
    frame = pd.DataFrame(X_train[:, 0], index=[f"case {i}" for i in range(len(X_train))])
    ensemble = make(InceptionTimeClassifier, n_estimators=2, max_epochs=2)
    ensemble.set_output(transform="pandas")
    embeddings = ensemble.fit_transform(frame, y_train)
    names = [f"inceptiontimeclassifier{i}" for i in range(16)]
    assert isinstance(embeddings, pd.DataFrame)
    assert list(embeddings.columns) == names == list(ensemble.get_feature_names_out())
    assert list(embeddings.index) == list(frame.index)
    pd.testing.assert_frame_equal(ensemble.transform(frame), embeddings)


def test_fit_transform_validates_X_once_and_equals_fit_then_transform(gunpoint, monkeypatch):
    X_train, y_train, _, _ = gunpoint
    calls = []

    def counted(*args, **kwargs):
        calls.append(kwargs["reset"])
        return validate_series(*args, **kwargs)

    validate_series = _validation.validate_series
    for module in (_base, _features, _tasks):  # every module that validates X
        monkeypatch.setattr(module, "validate_series", counted)
    embeddings = make(InceptionNetworkClassifier, max_epochs=2).fit_transform(X_train, y_train)
    assert calls == [True]
    monkeypatch.undo()
    fitted = make(InceptionNetworkClassifier, max_epochs=2).fit(X_train, y_train)
    np.testing.assert_array_equal(embeddings, fitted.transform(X_train))


@pytest.mark.parametrize("cls, n_networks, width", [
    (InceptionNetworkRegressor, 1, 4 * TINY["n_filters"]),
    (InceptionTimeRegressor, 3, 4 * TINY["n_filters"]),
    (LITENetworkRegressor, 1, TINY["n_filters"]),  # LITE's head sees n_filters features
    (LITETimeClassifier, 2, TINY["n_filters"]),
])
def test_regressors_and_the_lite_family_embed_too(cls, n_networks, width, gunpoint):
    X_train, y_train, X_test, _ = gunpoint
    params = {"n_estimators": n_networks} if n_networks > 1 else {}
    y = y_train if cls is LITETimeClassifier else X_train[:, 0].mean(axis=1)
    estimator = make(cls, max_epochs=2, **params).fit(X_train, y)
    n_features = n_networks * width
    assert estimator.transform(X_test).shape == (150, n_features)
    assert estimator.get_feature_names_out()[-1] == f"{cls.__name__.lower()}{n_features - 1}"


def test_unequal_lengths_embed_each_series_as_alone(japanese_vowels):
    X_train, y_train, X_test, _ = japanese_vowels
    clf = make(InceptionNetworkClassifier, max_epochs=2).fit(X_train, y_train)
    together = clf.transform(list(X_test[:30]))
    for i in (0, 11, 29):
        np.testing.assert_allclose(clf.transform(X_test[i][np.newaxis])[0], together[i],
                                   atol=1e-5)


def test_a_loaded_estimator_embeds_the_same(pipeline, gunpoint):
    buffer = io.BytesIO()
    inceptionsk.save(pipeline[0], buffer)
    buffer.seek(0)
    restored = inceptionsk.load(buffer)
    X = gunpoint[2][:10]
    np.testing.assert_array_equal(restored.transform(X), pipeline[0].transform(X))
    assert list(restored.get_feature_names_out()) == list(pipeline[0].get_feature_names_out())


def test_transform_needs_a_fitted_estimator_and_the_fitted_channels(pipeline, gunpoint):
    X = gunpoint[2][:4]
    for estimator in (clone(pipeline[0]), InceptionNetworkRegressor()):
        with pytest.raises(NotFittedError, match="is not fitted"):
            estimator.transform(X)
        with pytest.raises(NotFittedError, match="is not fitted"):
            estimator.get_feature_names_out()
    with pytest.raises(ValueError, match="X has 2 channels, but InceptionTimeClassifier was "
                                         "fitted on 1 channels"):
        pipeline[0].transform(np.concatenate([X, X], axis=1))
