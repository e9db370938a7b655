"""Class activation maps (classifiers) and regression activation maps: exact, per series.

The identity checked throughout: a map's mean over the real time steps of its series, plus
the head's bias (a regressor: its offset), is the network's output, computed here by the
trained module's own forward pass (batch norm unfolded), each case alone.
"""

import re

import numpy as np
import pytest
import torch
from conftest import SMALL
from sklearn.exceptions import NotFittedError

from inceptionsk import (
    InceptionNetworkClassifier,
    InceptionNetworkRegressor,
    InceptionTimeClassifier,
    InceptionTimeRegressor,
    LITENetworkRegressor,
    LITETimeClassifier,
)

#: The maps come from the scoring copy with batch norm folded in, the logits below from the
#: trained module: float32 rounding apart (measured on trained ensembles: at most 1.0e-6 on
#: GunPoint, logits up to 3.2; 2.5e-6 on JapaneseVowels, logits up to 12.4).
EXACT = dict(rtol=0, atol=1e-5)


def logits_alone(network, X):
    """The network's outputs, each case alone through its trained module (no padding)."""
    module = network.module_.eval()
    with torch.inference_mode():
        return np.concatenate([
            module(torch.as_tensor(np.asarray(case, dtype=np.float32)[np.newaxis])).numpy()
            for case in X
        ])


def mean_over_steps(maps):
    """Each map's mean over its own time steps (maps: an array or a list)."""
    return np.array([case_map.astype(np.float64).mean(axis=-1) for case_map in maps])


@pytest.fixture(scope="module")
def gunpoint_ensemble(gunpoint):
    X_train, y_train, _, _ = gunpoint
    return InceptionTimeClassifier(n_estimators=2, random_state=0, **dict(SMALL, max_epochs=5)
                                   ).fit(X_train, y_train)


@pytest.fixture(scope="module")
def vowels_ensemble(japanese_vowels):
    X_train, y_train, _, _ = japanese_vowels
    return InceptionTimeClassifier(n_estimators=2, random_state=0, **dict(SMALL, max_epochs=3)
                                   ).fit(X_train, y_train)


def check_class_maps_are_exact(ensemble, X):
    """For every class: each member's map, and the ensemble's, mean + bias = logit."""
    member_logits = [logits_alone(member, X) for member in ensemble.estimators_]
    member_biases = [member.module_.fc.bias.detach().numpy() for member in ensemble.estimators_]
    for index, label in enumerate(ensemble.classes_):
        labels = np.full(len(X), label)
        for member, logits, bias in zip(ensemble.estimators_, member_logits, member_biases,
                                        strict=True):
            maps = member.class_activation_map(X, y=labels)
            np.testing.assert_allclose(mean_over_steps(maps) + bias[index], logits[:, index],
                                       **EXACT)
        maps = ensemble.class_activation_map(X, y=labels)
        np.testing.assert_allclose(
            mean_over_steps(maps) + np.mean(member_biases, axis=0)[index],
            np.mean(member_logits, axis=0)[:, index], **EXACT,
        )


def test_class_maps_are_exact_on_equal_lengths(gunpoint_ensemble, gunpoint):
    _, _, X_test, _ = gunpoint
    maps = gunpoint_ensemble.class_activation_map(X_test)
    assert maps.shape == (150, 150) and maps.dtype == np.float32
    check_class_maps_are_exact(gunpoint_ensemble, X_test[:40])


def test_class_maps_are_exact_on_unequal_lengths(vowels_ensemble, japanese_vowels):
    """Each map has its series' length; scored among longer series (padded), it is the map
    of the series alone: padding never enters."""
    _, _, X_test, _ = japanese_vowels
    X = list(X_test[:50])
    maps = vowels_ensemble.class_activation_map(X)
    assert isinstance(maps, list) and len({case.shape[1] for case in X}) > 5
    assert [case_map.shape for case_map in maps] == [(case.shape[1],) for case in X]
    check_class_maps_are_exact(vowels_ensemble, X)
    for i in (0, 17, 42):
        alone = vowels_ensemble.class_activation_map(X[i][np.newaxis])[0]
        np.testing.assert_allclose(alone, maps[i], **EXACT)


def test_the_map_is_that_of_the_predicted_class_unless_labels_are_given(gunpoint_ensemble,
                                                                       gunpoint):
    _, _, X_test, _ = gunpoint
    X = X_test[:30]
    predicted = gunpoint_ensemble.predict(X)
    maps = gunpoint_ensemble.class_activation_map(X)
    np.testing.assert_array_equal(maps, gunpoint_ensemble.class_activation_map(X, y=predicted))
    # GunPoint has two classes: half the cases get the other class
    other = np.where(predicted == "1", "2", "1")
    labels = np.where(np.arange(len(X)) % 2 == 0, predicted, other)
    given = gunpoint_ensemble.class_activation_map(X, y=labels)
    same = labels == predicted
    np.testing.assert_array_equal(given[same], maps[same])
    assert (np.abs(given[~same] - maps[~same]).max(axis=1) > 1e-3).all()


def test_the_lite_family_has_the_same_exact_maps(japanese_vowels, gunpoint):
    """The maps live in the shared bases: LITETime's are exact as InceptionTime's, on
    unequal lengths too."""
    X_train, y_train, X_test, _ = japanese_vowels
    lite = LITETimeClassifier(n_estimators=2, n_filters=8, kernel_size=10, batch_size=16,
                              max_epochs=3, random_state=0).fit(X_train, y_train)
    maps = lite.class_activation_map(list(X_test[:30]))
    assert [case_map.shape for case_map in maps] == [(case.shape[1],) for case in X_test[:30]]
    check_class_maps_are_exact(lite, list(X_test[:30]))
    X_train, _, X_test, _ = gunpoint
    reg = LITENetworkRegressor(n_filters=8, kernel_size=10, max_epochs=2, random_state=0)
    reg.fit(X_train, X_train[:, 0].std(axis=1))
    offset = reg.target_scaler_.mean_ + reg.target_scaler_.scale_ * reg.module_.fc.bias.item()
    np.testing.assert_allclose(
        reg.regression_activation_map(X_test).mean(axis=1, dtype=np.float64) + offset,
        reg.predict(X_test), rtol=1e-5, atol=1e-5,
    )


# --- regressors -----------------------------------------------------------------------

def test_regression_maps_are_exact_in_the_targets_units(gunpoint):
    """Two targets of different scales; each network's map plus its offset is its
    prediction, the ensemble's plus the mean offset is the ensemble's."""
    X_train, _, X_test, _ = gunpoint
    y = np.stack([X_train[:, 0, 40:60].mean(axis=1) * 1000, X_train[:, 0].std(axis=1)], axis=1)
    reg = InceptionTimeRegressor(n_estimators=2, random_state=0, **dict(SMALL, max_epochs=3))
    reg.fit(X_train, y)
    X = X_test[:30]
    maps = reg.regression_activation_map(X)
    assert maps.shape == (30, 2, 150) and maps.dtype == np.float32
    offsets = []
    for member in reg.estimators_:
        scaler = member.target_scaler_
        offset = scaler.mean_ + scaler.scale_ * member.module_.fc.bias.detach().numpy()
        prediction = member.regression_activation_map(X).mean(axis=-1, dtype=np.float64) + offset
        np.testing.assert_allclose(prediction, member.predict(X), rtol=1e-5, atol=1e-5)
        # the module's own outputs, standardised, tie the maps to the network
        np.testing.assert_allclose(scaler.transform(prediction), logits_alone(member, X),
                                   **EXACT)
        offsets.append(offset)
    np.testing.assert_allclose(maps.mean(axis=-1, dtype=np.float64) + np.mean(offsets, axis=0),
                               reg.predict(X), rtol=1e-5, atol=1e-5)


def test_regression_maps_of_one_target_and_of_unequal_lengths(japanese_vowels):
    X_train, _, X_test, _ = japanese_vowels
    y = np.array([case.mean() for case in X_train])
    reg = InceptionNetworkRegressor(random_state=0, **dict(SMALL, max_epochs=2)).fit(X_train, y)
    X = list(X_test[:20])
    maps = reg.regression_activation_map(X)
    assert [case_map.shape for case_map in maps] == [(case.shape[1],) for case in X]
    offset = reg.target_scaler_.mean_ + reg.target_scaler_.scale_ * reg.module_.fc.bias.item()
    np.testing.assert_allclose(mean_over_steps(maps) + offset, reg.predict(X),
                               rtol=1e-5, atol=1e-5)


# --- bad input, as in predict ----------------------------------------------------------

@pytest.fixture(scope="module")
def tiny(gunpoint):
    X_train, y_train, _, _ = gunpoint
    return InceptionNetworkClassifier(n_filters=2, depth=1, kernel_size=8, max_epochs=1,
                                      random_state=0).fit(X_train[:, :, :40], y_train)


@pytest.mark.parametrize("change", ["nan", "channels", "length", "2d length"])
def test_bad_X_raises_what_predict_raises(tiny, gunpoint, change):
    X = gunpoint[0][:5, :, :40].copy()
    if change == "nan":
        X[2, 0, 7] = np.nan
    elif change == "channels":
        X = np.concatenate([X, X], axis=1)
    elif change == "length":
        X = X[:, :, :30]
    else:
        X = X[:, 0, :30]
    with pytest.raises(ValueError) as expected:
        tiny.predict(X)
    with pytest.raises(ValueError, match=f"^{re.escape(str(expected.value))}$"):
        tiny.class_activation_map(X)


def test_labels_must_be_classes_one_per_case(tiny, gunpoint):
    X = gunpoint[0][:4, :, :40]
    with pytest.raises(ValueError, match=re.escape(
            "y holds labels not seen in fit (['3']); pass labels among classes_ ['1', '2'].")):
        tiny.class_activation_map(X, y=["1", "3", "2", "1"])
    with pytest.raises(ValueError, match="X and y have inconsistent numbers of cases: X has 4, "
                                         "y has 3"):
        tiny.class_activation_map(X, y=["1", "2", "1"])


@pytest.mark.parametrize("cls, method", [
    (InceptionNetworkClassifier, "class_activation_map"),
    (InceptionTimeClassifier, "class_activation_map"),
    (InceptionNetworkRegressor, "regression_activation_map"),
    (InceptionTimeRegressor, "regression_activation_map"),
])
def test_maps_need_a_fitted_estimator(cls, method, gunpoint):
    with pytest.raises(NotFittedError, match=f"This {cls.__name__} instance is not fitted"):
        getattr(cls(), method)(gunpoint[0][:2])
