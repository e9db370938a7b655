"""Bad input, case by case: a ValueError/TypeError that says what was wrong and what to do,
or a correct result where working is the right answer."""

import re
from contextlib import contextmanager

import numpy as np
import pytest
import torch
from conftest import CLASSIFIERS, ESTIMATORS, make
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError
from skorch.callbacks import EpochTimer

from inceptionsk import (
    InceptionNetworkClassifier,
    InceptionNetworkRegressor,
    InceptionTimeClassifier,
    InceptionTimeRegressor,
    LITETimeClassifier,
    SeriesStandardScaler,
    TrainingDivergedError,
)


def target(cls, n_cases):
    """Labels for a classifier, real targets for a regressor."""
    if cls in CLASSIFIERS:
        return np.tile(["a", "b"], n_cases // 2 + 1)[:n_cases]
    return np.linspace(-1, 1, n_cases)


@contextmanager
def raises_stating(exc, *facts):
    """pytest.raises for a message that states each of ``facts``: what was wrong (a count,
    a value, a shape), where (case, channel, time point; the parameter) and the key words
    of the advice, whatever the sentences around them."""
    with pytest.raises(exc) as caught:
        yield caught
    missing = [fact for fact in facts if fact not in str(caught.value)]
    assert not missing, f"the message does not state {missing}: {str(caught.value)!r}"


def raises_exactly(exc, message):
    """pytest.raises matching the whole message, literally: for the few contract tests
    below whose wording is a promise (quoted in the README, or scikit-learn's)."""
    return pytest.raises(exc, match=f"^{re.escape(message)}$")


@pytest.fixture(scope="module")
def data():
    X = np.random.RandomState(0).normal(size=(20, 2, 16))
    return X, np.tile(["a", "b"], 10)


@pytest.fixture(scope="module")
def fitted(data):
    X, y = data
    return make(InceptionNetworkClassifier).fit(X, y)


@pytest.fixture(scope="module")
def fitted_2d(data):
    X, y = data
    return make(InceptionTimeClassifier).fit(X[:, 0], y)


# --- values -------------------------------------------------------------------------

@pytest.mark.parametrize("cls", ESTIMATORS)
def test_nan_in_X_is_counted_and_located(cls, data):
    """A contract test: the README quotes this message, the pattern of every X error."""
    X, _ = data
    X = X.copy()
    X[3, 1, 7] = X[5, 0, 0] = np.nan
    with raises_exactly(ValueError, "X contains 2 NaN value(s) (first at case 3, channel 1, "
                                    "time point 7). InceptionTime cannot train or predict on "
                                    "missing values: fill them first, e.g. with "
                                    "inceptionsk.SeriesImputer in a Pipeline before this "
                                    "estimator."):
        make(cls).fit(X, target(cls, 20))


def test_nan_at_predict_and_in_2d_X(fitted, fitted_2d, data):
    X, _ = data
    X = X.copy()
    X[4, 0, 2] = np.nan
    with raises_stating(ValueError, "1 NaN", "case 4, channel 0, time point 2", "SeriesImputer"):
        fitted.predict(X)
    # 2D X has one channel, which the position leaves out
    with raises_stating(ValueError, "1 NaN", "case 4, time point 2", "SeriesImputer"):
        fitted_2d.predict_proba(X[:, 0])


def test_infinity_in_X(data):
    X, y = data
    X = X.copy()
    X[2, 0, 9] = -np.inf
    with raises_stating(ValueError, "1 infinite", "case 2, channel 0, time point 9",
                        "finite values", "NaN", "SeriesImputer"):
        make(InceptionTimeClassifier).fit(X, y)


def test_values_beyond_float32_are_refused_as_such(fitted, data):
    X, _ = data
    X = X.copy()
    X[1, 1, 3], X[6, 0, 0] = 1e39, -2e300
    with raises_stating(ValueError, "2 value(s) too large for float32", "3.4e+38", "1e+39",
                        "case 1, channel 1, time point 3", "SeriesStandardScaler"):
        fitted.predict(X)


def test_values_of_1e30_are_scored_finitely_but_do_not_train(fitted, data):
    """1e30 fits float32, so a model trained on sane data scores it (finite probabilities).
    Training on it would square values beyond float32 in batch normalisation: a constant
    model, so fit refuses it and points to the scaler, and the Pipeline with it works."""
    X, y = data
    huge = (X * 1e30).astype(np.float32)
    proba = fitted.predict_proba(huge)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    with raises_stating(TrainingDivergedError, "InceptionNetworkClassifier", "diverged",
                        f"|x| = {np.abs(huge).max():.3g}", "SeriesStandardScaler"):
        make(InceptionNetworkClassifier).fit(huge, y)
    pipe = make_pipeline(SeriesStandardScaler(), make(InceptionNetworkClassifier))
    reference = make_pipeline(SeriesStandardScaler(), make(InceptionNetworkClassifier))
    np.testing.assert_allclose(
        pipe.fit(huge, y).predict_proba(huge), reference.fit(X, y).predict_proba(X), atol=1e-5
    )


def test_values_that_overflow_inside_the_network_give_no_nan(fitted, data):
    X, _ = data
    huge = (X * 1e38).astype(np.float32)
    with raises_stating(ValueError, "outputs are NaN or infinite", "of 20 cases", "float32",
                        "SeriesStandardScaler") as caught:
        fitted.predict_proba(huge)
    assert re.search(r"\(first: case \d+\)", str(caught.value))
    with raises_stating(ValueError, "outputs are NaN or infinite"):
        make(InceptionNetworkRegressor).fit(X, np.arange(20.0)).predict(huge)


# --- shapes -------------------------------------------------------------------------

@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize("shape", [(0, 2, 16), (4, 0, 16), (4, 2, 0), (0, 16), (4, 0)])
def test_empty_X(cls, shape):
    """What is empty, and what X needs; for 2D X also in scikit-learn's words, which its
    check_fit2d_1feature looks for."""
    with raises_stating(ValueError, f"shape {shape}", "empty",
                        "one case, one channel and one time point"):
        make(cls).fit(np.empty(shape), target(cls, shape[0]))
    with raises_stating(ValueError, "0 feature(s) (shape=(4, 0)) while a minimum of 1 is "
                                    "required."):
        make(cls).fit(np.empty((4, 0)), target(cls, 4))


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_a_single_case(cls, data):
    X, _ = data
    with raises_stating(ValueError, cls.__name__, "at least 2 cases", "got 1",
                        "more training cases"):
        make(cls).fit(X[:1], target(cls, 1))


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_a_single_class(cls, data):
    X, _ = data
    with raises_stating(ValueError, cls.__name__, "at least 2 classes", "1 class (3)",
                        "two classes or more"):
        make(cls).fit(X, np.full(20, 3))


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_X_and_y_of_different_lengths(cls, data):
    X, _ = data
    with raises_stating(ValueError, "X has 20", "y has 19", "per case of X"):
        make(cls).fit(X, target(cls, 19))


def test_1d_and_4d_X(data):
    X, y = data
    with raises_stating(ValueError, "3 dimensions", "1D X of shape (16,)", "X.reshape(1, -1)"):
        make(InceptionTimeClassifier).fit(X[0, 0], y)
    with raises_stating(ValueError, "3 dimensions", "4D X of shape (20, 2, 16, 1)",
                        "Reshape your data to 3 dimensions"):
        make(InceptionTimeClassifier).fit(X[..., np.newaxis], y)


def test_a_series_of_one_time_point_with_batches_of_one(data):
    X, y = data
    with raises_stating(ValueError, "InceptionNetworkClassifier", "batch_size=1",
                        "1 time point", "batch_size >= 2"):
        make(InceptionNetworkClassifier, batch_size=1).fit(X[:, :, :1], y)
    # batch_size=2 works, also when the last batch would hold a single case
    clf = make(InceptionNetworkClassifier, batch_size=2).fit(X[:5, :, :1], y[:5])
    assert np.isfinite(clf.predict_proba(X[:, :, :1])).all()


# --- dtypes -------------------------------------------------------------------------

def test_numeric_object_and_string_arrays_work_like_floats(fitted, data):
    X, _ = data
    expected = fitted.predict_proba(X)
    np.testing.assert_array_equal(fitted.predict_proba(X.astype(object)), expected)
    np.testing.assert_allclose(fitted.predict_proba(X.astype(str)), expected, rtol=1e-6)


def test_object_array_holding_something_else(fitted, data):
    """numpy's own words pass through: scikit-learn's check_dtype_object looks for them."""
    X, _ = data
    X = X.astype(object)
    X[0, 0, 0] = {"value": 1}
    with raises_stating(TypeError, "real numbers", "'dict'", "Encode text or categories as "
                                                             "numbers") as caught:
        fitted.predict(X)
    assert re.search("argument must be a string.* number", str(caught.value))


def test_text_that_is_no_number(data):
    X, y = data
    X = X.astype(str)
    X[1, 0, 2] = "high"
    with raises_stating(TypeError, "real numbers", "'high'", "Encode text or categories as "
                                                             "numbers"):
        make(InceptionNetworkClassifier).fit(X, y)


@pytest.mark.parametrize("length", [16, 12])
def test_a_list_of_cases_with_different_channel_counts(data, length):
    """Whether or not the lengths differ too, the error names the channel counts."""
    X, y = data
    cases = [X[0], *[case[:1, :length] for case in X[1:]]]
    with raises_stating(ValueError, "different numbers of channels", "case 0 has 2",
                        "case 1 has 1", "same channels"):
        make(InceptionNetworkClassifier).fit(cases, y)


def test_complex_X(data):
    """A contract test: scikit-learn's check_complex_data looks for the first sentence."""
    X, y = data
    with raises_exactly(ValueError, "Complex data not supported: InceptionTime needs real "
                                    "values. Pass the real part, the magnitude, or the real "
                                    "and imaginary parts as two channels."):
        make(InceptionNetworkClassifier).fit(X + 1j, y)


# --- targets ------------------------------------------------------------------------

@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_nan_and_none_labels(cls, data):
    X, _ = data
    with raises_stating(ValueError, "2 NaN or infinite label(s)", "case 4", "drop those cases",
                        "give them a label"):
        make(cls).fit(X, [np.nan if i in (4, 9) else i % 2 for i in range(20)])
    with raises_stating(ValueError, "1 None label(s)", "case 7", "drop those cases",
                        "give them a label"):
        make(cls).fit(X, [None if i == 7 else "ab"[i % 2] for i in range(20)])


@pytest.mark.parametrize("cls", [InceptionNetworkRegressor, InceptionTimeRegressor])
def test_missing_regression_targets(cls, data):
    X, _ = data
    y = list(np.linspace(0, 1, 20))
    y[6] = None
    with raises_stating(ValueError, "1 NaN, infinite or too large", "case 6",
                        "drop those cases", "finite target"):
        make(cls).fit(X, y)


@pytest.mark.parametrize("cls", [InceptionNetworkRegressor, InceptionTimeRegressor])
def test_regression_targets_that_are_words(cls, data):
    X, _ = data
    with raises_stating(TypeError, "real-valued targets", "'a'", "classifier"):
        make(cls).fit(X, np.tile(["a", "b"], 10))


def test_labels_of_mixed_types(data):
    X, _ = data
    y = np.array([0, "a"] * 10, dtype=object)
    with raises_stating(TypeError, "int, str", "cannot be sorted", "labels of one type",
                        "astype(str)"):
        make(InceptionTimeClassifier).fit(X, y)


# --- fitted layout ------------------------------------------------------------------

@pytest.mark.parametrize("cls", ESTIMATORS)
def test_predict_before_fit(cls, data):
    X, _ = data
    estimator = make(cls)
    methods = ["predict", "predict_proba"] if cls in CLASSIFIERS else ["predict"]
    for method in methods:
        with pytest.raises(NotFittedError, match=f"This {cls.__name__} instance is not fitted"):
            getattr(estimator, method)(X)
    with pytest.raises(NotFittedError):
        estimator.resume(X, target(cls, 20))
    with pytest.raises(NotFittedError):
        estimator.save("never-written.pt")


def test_a_different_channel_count_at_predict(fitted, data):
    X, _ = data
    with raises_stating(ValueError, "X has 3 channels", "InceptionNetworkClassifier",
                        "fitted on 2", "(20, 3, 16)", "the channels it was fitted on"):
        fitted.predict(np.concatenate([X, X[:, :1]], axis=1))


def test_a_different_series_length_at_predict(fitted, fitted_2d, data):
    """The policy: series at predict have the fitted length (see the estimators' Notes)."""
    X, _ = data
    with raises_stating(ValueError, "12 time points", "InceptionNetworkClassifier",
                        "16 time points", "Resample or crop"):
        fitted.predict(X[:, :, :12])
    # A contract test: for 2D X the time points are sklearn's features, and its
    # check_n_features_in_after_fitting looks for its own sentence, which comes first
    with raises_exactly(ValueError, "X has 20 features, but InceptionTimeClassifier is "
                                    "expecting 16 features as input: the series have 20 time "
                                    "points, but InceptionTimeClassifier was fitted on series "
                                    "of 16 time points. Resample or crop the series to the "
                                    "fitted length."):
        fitted_2d.predict(np.pad(X[:, 0], ((0, 0), (0, 4))))


# --- sizes that must just work ------------------------------------------------------

def test_a_kernel_longer_than_the_series(data):
    """'same' padding: kernels of 99, 49 and 25 on series of 16 time points."""
    X, y = data
    clf = make(InceptionTimeClassifier, kernel_size=100).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (20, 2) and np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_a_batch_larger_than_the_data(cls, data):
    X, _ = data
    estimator = make(cls, batch_size=500).fit(X, target(cls, 20))
    prediction = estimator.predict(X)
    assert prediction.shape == (20,)
    member = estimator if not hasattr(estimator, "estimators_") else estimator.estimators_[0]
    assert member.history_[-1, "train_batch_count"] == 1


# --- hyperparameters ----------------------------------------------------------------

#: Values of every public parameter that must be refused: wrong type, zero, negative,
#: out of range.
BAD_VALUES = {
    "recipe": ["quick", "", "Paper", 1, None],
    "n_estimators": [0, -1, 2.5, "5"],
    "n_filters": [0, -1, 2.5, "32", None],
    "kernel_size": [3, 0, -40, 40.0, "40", None],
    "depth": [0, -1, 1.5, "6", None],
    "use_residual": ["yes", 1, None],
    "use_bottleneck": ["no", 0, None],
    "use_custom_filters": ["yes", 1, None],
    "use_litemv": ["yes", 0, None],
    "max_epochs": [0, -1, 2.5],
    "batch_size": [0, -64, 64.0, None],
    "lr": [0, -0.001, np.inf, np.nan, "0.001", None],
    "lr_schedule": ["cosine", "", 1],
    "weight_init": ["xavier", "", "Glorot", 1, None],
    "validation_fraction": [0, 1, 1.5, -0.1, "0.1"],
    "n_iter_no_change": [0, -1, 1.5, "5"],
    "class_weight": ["heavy", 1, [1, 2]],
    "loss": ["mse", "squared", "Huber", "", 1, None],
    "epsilon": [0, -0.1, np.inf, np.nan, "0.1", None],
    "quantile": [0, 1, -0.5, 1.5, np.nan, "0.5", None],
    "device": [0, None, ["cpu"]],
    "precision": ["float16", "bf16", torch.bfloat16, None],
    "callbacks": ["progress", (EpochTimer(),), [3], [("timer", "EpochTimer")], 0],
    "n_jobs": [0, 1.5, "all"],
    "random_state": [-1, 2**32, 1.5, "seed"],
    "verbose": [-1, "loud", 1.5],
    "warm_start": ["yes", 1, None],
}
CASES = [
    (cls, name, value)
    for cls in ESTIMATORS for name in cls().get_params() for value in BAD_VALUES[name]
]


@pytest.mark.parametrize(
    # ids without object addresses, which differ between pytest-xdist's workers
    "cls, name, value", CASES,
    ids=[f"{c.__name__}-{n}={re.sub(' object at 0x[0-9a-f]+', '', repr(v))}"
         for c, n, v in CASES],
)
def test_invalid_hyperparameters_name_the_parameter(cls, name, value, data):
    X, _ = data
    estimator = make(cls).set_params(**{name: value})
    with pytest.raises(InvalidParameterError, match=f"The '{name}' parameter of {cls.__name__} "
                                                    "must be"):
        estimator.fit(X, target(cls, 20))


def test_every_public_parameter_has_bad_values():
    for cls in ESTIMATORS:
        assert set(cls().get_params()) <= set(BAD_VALUES), cls


@pytest.mark.parametrize("cls", [*ESTIMATORS, LITETimeClassifier])
@pytest.mark.parametrize("size", [{"n_filters": 10**13}, {"kernel_size": 10**13}])
def test_a_network_too_large_for_memory_names_its_size(cls, size, data):
    """Sizes that are valid numbers but whose weights no machine holds (10**13 filters:
    petabytes) fail in torch's allocator; the error says which network and what to shrink."""
    X, labels = data
    y = labels if cls is LITETimeClassifier else target(cls, 20)
    with raises_stating(ValueError, "too large for the memory", "device 'cpu'",
                        f"{'nf' if 'n_filters' in size else 'ks'}={10**13}",
                        "n_filters, kernel_size or depth"):
        make(cls, **size).fit(X, y)


@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize("device", ["gpu0", "not a device"])
def test_a_device_torch_does_not_know(cls, device, data):
    X, _ = data
    with raises_stating(InvalidParameterError, "'device' parameter", repr(device),
                        "'cpu', 'cuda'"):
        make(cls, device=device).fit(X, target(cls, 20))


def test_a_device_torch_knows_but_cannot_use(data):
    X, y = data
    with raises_stating(ValueError, "device='meta'", "cannot be used", "device='cpu'"):
        make(InceptionTimeClassifier, device="meta").fit(X, y)
