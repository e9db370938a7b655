"""InceptionTimeClassifier in the workflows our users run, on real UCR/UEA data."""

import copy
import io
import pickle
import re

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from conftest import GUNPOINT, SMALL
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from skorch.callbacks import Callback

from inceptionsk import InceptionNetworkClassifier, InceptionTimeClassifier, SeriesStandardScaler


@pytest.fixture(scope="module")
def fitted_gunpoint(gunpoint):
    X_train, y_train, _, _ = gunpoint
    clf = InceptionTimeClassifier(n_estimators=2, random_state=0, **GUNPOINT)
    return clf.fit(X_train, y_train)


def test_short_training_learns_gunpoint(fitted_gunpoint, gunpoint):
    """30 epochs of two small networks: far above chance (0.5) on the published test split."""
    _, _, X_test, y_test = gunpoint
    assert fitted_gunpoint.score(X_test, y_test) >= 0.85


def test_fitted_attributes(fitted_gunpoint, gunpoint):
    X_train, y_train, _, _ = gunpoint
    assert list(fitted_gunpoint.classes_) == ["1", "2"]
    assert fitted_gunpoint.n_features_in_ == 1
    assert fitted_gunpoint.n_channels_in_ == 1
    assert fitted_gunpoint.n_timepoints_in_ == 150
    assert len(fitted_gunpoint.estimators_) == 2
    seeds = {member.random_state for member in fitted_gunpoint.estimators_}
    assert len(seeds) == 2, "members must get different seeds"
    for member in fitted_gunpoint.estimators_:
        assert isinstance(member, InceptionNetworkClassifier)
        losses = member.history_[:, "train_loss"]
        assert len(losses) == GUNPOINT["max_epochs"]
        assert losses[-1] < losses[0]


def test_probabilities_are_the_mean_of_the_members(fitted_gunpoint, gunpoint):
    _, _, X_test, _ = gunpoint
    proba = fitted_gunpoint.predict_proba(X_test)
    members = [m.predict_proba(X_test) for m in fitted_gunpoint.estimators_]
    np.testing.assert_allclose(proba, np.mean(members, axis=0))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert not np.allclose(members[0], members[1])
    np.testing.assert_array_equal(
        fitted_gunpoint.predict(X_test), fitted_gunpoint.classes_[proba.argmax(axis=1)]
    )


class RecordWeights(Callback):
    """A copy of the network's weights at the end of every epoch."""

    def on_train_begin(self, net, **kwargs):
        self.weights = []

    def on_epoch_end(self, net, **kwargs):
        self.weights.append(copy.deepcopy(net.module_.state_dict()))


def test_keeps_the_weights_of_the_lowest_training_loss(gunpoint):
    """The paper keeps the epoch of lowest training loss: the final weights reproduce it."""
    X_train, y_train, _, _ = gunpoint
    recorder = RecordWeights()
    member = InceptionNetworkClassifier(random_state=3, callbacks=[recorder],
                                        **dict(SMALL, max_epochs=8, lr=0.05))
    member.fit(X_train, y_train)
    losses = np.asarray(member.history_[:, "train_loss"])
    best = int(np.argmin(losses))
    assert dict(member.net_.callbacks_)["keep_best"].best_epoch_ == best + 1
    assert best + 1 < len(losses), "lr=0.05 should make the loss bounce"
    final = member.module_.state_dict()
    for name, tensor in final.items():
        np.testing.assert_array_equal(tensor.numpy(), recorder.weights[best][name].numpy())
    assert not all(torch.equal(final[name], t) for name, t in recorder.weights[-1].items())


def test_same_random_state_same_predictions(fitted_gunpoint, gunpoint):
    X_train, y_train, X_test, _ = gunpoint
    again = clone(fitted_gunpoint).fit(X_train, y_train)
    np.testing.assert_array_equal(again.predict_proba(X_test),
                                  fitted_gunpoint.predict_proba(X_test))


def test_pickle_and_joblib_round_trip(fitted_gunpoint, gunpoint):
    _, _, X_test, _ = gunpoint
    expected = fitted_gunpoint.predict_proba(X_test)
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(fitted_gunpoint)).predict_proba(X_test), expected
    )
    buffer = io.BytesIO()
    joblib.dump(fitted_gunpoint, buffer)
    buffer.seek(0)
    np.testing.assert_array_equal(joblib.load(buffer).predict_proba(X_test), expected)


def test_clone_gives_an_unfitted_copy_with_the_same_params(fitted_gunpoint):
    copy = clone(fitted_gunpoint)
    assert copy.get_params() == fitted_gunpoint.get_params()
    assert not hasattr(copy, "estimators_")


def test_pipeline_with_series_scaler(gunpoint):
    """Two members: one 30-epoch network scored anywhere from 0.49 to 0.93 across seeds
    and with input changes of 1e-7 (float64 instead of float32 scaler statistics); two
    scored 0.93 to 0.98 over four seeds."""
    X_train, y_train, X_test, y_test = gunpoint
    pipe = make_pipeline(
        SeriesStandardScaler(),
        InceptionTimeClassifier(n_estimators=2, random_state=0, **GUNPOINT),
    )
    # GunPoint is z-normalised already; offset and scale it so that the scaler matters.
    pipe.fit(X_train * 5 + 3, y_train)
    assert pipe.score(X_test * 5 + 3, y_test) >= 0.75


def test_grid_search_over_depth(basic_motions):
    """The search ranks the depths by their fold scores, and its best estimator is that
    depth refitted on all the data: the same model as fitting that depth directly."""
    X_train, y_train, X_test, _ = basic_motions
    settings = dict(SMALL, max_epochs=2)
    settings.pop("depth")
    clf = InceptionTimeClassifier(n_estimators=1, random_state=0, **settings)
    search = GridSearchCV(clf, {"depth": [1, 3]}, cv=2, error_score="raise")
    search.fit(X_train, y_train)
    results = search.cv_results_
    scores = np.column_stack([results["split0_test_score"], results["split1_test_score"]])
    np.testing.assert_allclose(results["mean_test_score"], scores.mean(axis=1))
    best = int(np.argmax(results["mean_test_score"]))
    assert search.best_index_ == best and results["rank_test_score"][best] == 1
    assert search.best_params_ == results["params"][best]
    depth = search.best_params_["depth"]
    assert len(search.best_estimator_.estimators_[0].module_.inceptionblock.inception) == depth
    direct = clone(clf).set_params(depth=depth).fit(X_train, y_train)
    np.testing.assert_array_equal(search.predict_proba(X_test), direct.predict_proba(X_test))


def test_cross_val_score_on_multivariate_data(basic_motions):
    X_train, y_train, _, _ = basic_motions
    clf = InceptionTimeClassifier(n_estimators=1, random_state=0, **dict(SMALL, max_epochs=10))
    folds = StratifiedKFold(2, shuffle=True, random_state=0)
    scores = cross_val_score(clf, X_train, y_train, cv=folds)
    assert scores.shape == (2,)
    assert scores.mean() > 0.5  # 4 classes: chance is 0.25


def test_labels_of_any_kind_and_2d_input(rng):
    X = rng.normal(size=(24, 30))
    y_int = np.repeat([10, -3, 7], 8)
    X[y_int == 7, 10:20] += 3
    settings = dict(SMALL, max_epochs=2)
    for y in (y_int, y_int.astype(str), [f"class {label}" for label in y_int]):
        clf = InceptionTimeClassifier(n_estimators=1, random_state=0, **settings).fit(X, y)
        assert set(clf.predict(X)) <= set(np.unique(y))
        assert list(clf.classes_) == sorted(set(y))
    assert clf.n_features_in_ == 30 and clf.n_channels_in_ == 1


def test_array_likes_and_dtypes_give_the_same_model(rng):
    X = rng.normal(size=(20, 2, 16))
    y = np.tile([0, 1], 10)
    settings = dict(SMALL, max_epochs=2)
    reference = InceptionTimeClassifier(n_estimators=1, random_state=0, **settings).fit(X, y)
    expected = reference.predict_proba(X)
    for X_like in (X.astype(np.float32), X.tolist()):
        clf = InceptionTimeClassifier(n_estimators=1, random_state=0, **settings).fit(X_like, y)
        np.testing.assert_allclose(clf.predict_proba(X_like), expected, atol=1e-6)
    X_int = (X * 10).astype(np.int64)
    clf = InceptionTimeClassifier(n_estimators=1, random_state=0, **settings).fit(X_int, y)
    assert clf.predict_proba(X_int).shape == (20, 2)


def test_dataframe_input_records_feature_names(rng):
    X = pd.DataFrame(rng.normal(size=(20, 12)), columns=[f"t{i}" for i in range(12)])
    y = np.tile(["a", "b"], 10)
    clf = InceptionTimeClassifier(n_estimators=1, random_state=0, **dict(SMALL, max_epochs=2))
    clf.fit(X, y)
    assert list(clf.feature_names_in_) == list(X.columns)
    assert clf.predict(X).shape == (20,)


def test_wrong_channel_count_at_predict_names_both_counts(basic_motions):
    X_train, y_train, X_test, _ = basic_motions
    clf = InceptionTimeClassifier(n_estimators=1, random_state=0, **dict(SMALL, max_epochs=1))
    clf.fit(X_train, y_train)
    message = "X has 3 channels, but InceptionTimeClassifier was fitted on 6"
    with pytest.raises(ValueError, match=message):
        clf.predict(X_test[:, :3])
    with pytest.raises(ValueError, match="X has 1 channels, .* fitted on 6"):
        clf.predict_proba(X_test[:, 0])


def test_scoring_does_not_depend_on_batching(fitted_gunpoint, gunpoint):
    """A case gets the same probabilities alone, in a subset and in another order."""
    _, _, X_test, _ = gunpoint
    full = fitted_gunpoint.predict_proba(X_test)
    order = np.random.RandomState(1).permutation(len(X_test))
    np.testing.assert_array_equal(fitted_gunpoint.predict_proba(X_test[order]), full[order])
    np.testing.assert_array_equal(fitted_gunpoint.predict_proba(X_test[7:8]), full[7:8])
    np.testing.assert_array_equal(fitted_gunpoint.predict_proba(X_test[:70]), full[:70])


def test_verbose_levels(capsys, gunpoint):
    X_train, y_train, _, _ = gunpoint
    settings = dict(SMALL, max_epochs=2)
    InceptionTimeClassifier(n_estimators=2, random_state=0, **settings).fit(X_train, y_train)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    fitted = InceptionTimeClassifier(n_estimators=2, random_state=0, verbose=1, **settings)
    fitted.fit(X_train, y_train)
    captured = capsys.readouterr()
    assert captured.out == ""  # stdout is left to the user's results
    summaries = [line for line in re.split(r"[\r\n]", captured.err) if "epochs in" in line]
    assert len(summaries) == 2, captured.err
    seeds = [member.random_state for member in fitted.estimators_]
    assert summaries[0].startswith(f"InceptionNetworkClassifier(random_state={seeds[0]}): "
                                   "2 epochs in ")
    assert "lowest train loss" in summaries[0]
    assert "epoch/s" in captured.err  # tqdm's bar over epochs


def test_device_handling(gunpoint):
    X_train, y_train, _, _ = gunpoint
    clf = InceptionTimeClassifier(n_estimators=1, device="auto", **dict(SMALL, max_epochs=1))
    clf.fit(X_train[:20], y_train[:20])
    expected = "cuda" if __import__("torch").cuda.is_available() else "cpu"
    assert clf.estimators_[0].net_.device == expected
    if expected == "cpu":
        with pytest.raises(ValueError, match="no CUDA device"):
            clf.set_params(device="cuda").fit(X_train[:20], y_train[:20])
