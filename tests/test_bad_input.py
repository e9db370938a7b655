"""Bad input, case by case: a ValueError/TypeError that says what was wrong and what to do,
or a correct result where working is the right answer."""

import re

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError
from skorch.callbacks import EpochTimer

from inceptionsk import (
    InceptionNetworkClassifier,
    InceptionNetworkRegressor,
    InceptionTimeClassifier,
    InceptionTimeRegressor,
    SeriesStandardScaler,
)

#: The smallest networks: every test here trains at most one epoch of a few cases.
TINY = dict(n_filters=2, depth=1, kernel_size=8, batch_size=8, max_epochs=1, device="cpu")
ESTIMATORS = [
    InceptionNetworkClassifier, InceptionNetworkRegressor, InceptionTimeClassifier,
    InceptionTimeRegressor,
]
CLASSIFIERS = [InceptionNetworkClassifier, InceptionTimeClassifier]


def make(cls, **params):
    """A tiny estimator; ensembles get one member."""
    if cls in (InceptionTimeClassifier, InceptionTimeRegressor):
        params.setdefault("n_estimators", 1)
    return cls(**{**TINY, "random_state": 0, **params})


def target(cls, n_cases):
    """Labels for a classifier, real targets for a regressor."""
    if cls in CLASSIFIERS:
        return np.tile(["a", "b"], n_cases // 2 + 1)[:n_cases]
    return np.linspace(-1, 1, n_cases)


def raises(exc, message):
    """pytest.raises matching the whole message, literally."""
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

NAN_ADVICE = (
    "InceptionTime cannot train or predict on missing values: fill them first, e.g. with "
    "inceptionsk.SeriesImputer in a Pipeline before this estimator."
)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_nan_in_X_is_counted_and_located(cls, data):
    X, _ = data
    X = X.copy()
    X[3, 1, 7] = X[5, 0, 0] = np.nan
    with raises(ValueError, f"X contains 2 NaN value(s) (first at case 3, channel 1, "
                            f"time point 7). {NAN_ADVICE}"):
        make(cls).fit(X, target(cls, 20))


def test_nan_at_predict_and_in_2d_X(fitted, fitted_2d, data):
    X, _ = data
    X = X.copy()
    X[4, 0, 2] = np.nan
    message = f"X contains 1 NaN value(s) (first at case 4, channel 0, time point 2). {NAN_ADVICE}"
    with raises(ValueError, message):
        fitted.predict(X)
    with raises(ValueError, f"X contains 1 NaN value(s) (first at case 4, time point 2). "
                            f"{NAN_ADVICE}"):
        fitted_2d.predict_proba(X[:, 0])


def test_infinity_in_X(data):
    X, y = data
    X = X.copy()
    X[2, 0, 9] = -np.inf
    with raises(ValueError, "X contains 1 infinite value(s) (first at case 2, channel 0, time "
                            "point 9). Replace them with finite values, or with NaN and fill "
                            "them with inceptionsk.SeriesImputer."):
        make(InceptionTimeClassifier).fit(X, y)


def test_values_beyond_float32_are_refused_as_such(fitted, data):
    X, _ = data
    X = X.copy()
    X[1, 1, 3], X[6, 0, 0] = 1e39, -2e300
    with raises(ValueError, "X contains 2 value(s) too large for float32, in which the networks "
                            "compute (|x| > 3.4e+38; the first, 1e+39, at case 1, channel 1, "
                            "time point 3). Scale X down, e.g. with "
                            "inceptionsk.SeriesStandardScaler in a Pipeline before this "
                            "estimator."):
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
    with pytest.raises(ValueError, match=re.escape(
        "InceptionNetworkClassifier's training diverged: the network's weights or batch-norm "
        "statistics became NaN or infinite. X holds values up to |x| = "
    ) + r".*Scale X, e\.g\. with inceptionsk\.SeriesStandardScaler in a Pipeline"):
        make(InceptionNetworkClassifier).fit(huge, y)
    pipe = make_pipeline(SeriesStandardScaler(), make(InceptionNetworkClassifier))
    reference = make_pipeline(SeriesStandardScaler(), make(InceptionNetworkClassifier))
    np.testing.assert_allclose(
        pipe.fit(huge, y).predict_proba(huge), reference.fit(X, y).predict_proba(X), atol=1e-5
    )


def test_values_that_overflow_inside_the_network_give_no_nan(fitted, data):
    X, _ = data
    huge = (X * 1e38).astype(np.float32)
    with pytest.raises(ValueError, match=r"^The network's outputs are NaN or infinite for \d+ of "
                       r"20 cases \(first: case \d+\): X holds values too large for the "
                       r"network's float32 arithmetic\. Scale X the way the training data were "
                       r"scaled, e\.g\. with inceptionsk\.SeriesStandardScaler in a Pipeline\.$"):
        fitted.predict_proba(huge)
    with pytest.raises(ValueError, match="outputs are NaN or infinite"):
        make(InceptionNetworkRegressor).fit(X, np.arange(20.0)).predict(huge)


# --- shapes -------------------------------------------------------------------------

@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize("shape", [(0, 2, 16), (4, 0, 16), (4, 2, 0), (0, 16), (4, 0)])
def test_empty_X(cls, shape):
    """What is empty, and what X needs; in scikit-learn's words for its 2D checks."""
    with pytest.raises(ValueError, match=re.escape(f"X of shape {shape} is empty: ") + ".*"
                       "It needs at least one case, one channel and one time point"):
        make(cls).fit(np.empty(shape), target(cls, shape[0]))
    with pytest.raises(ValueError, match=re.escape("0 feature(s) (shape=(4, 0)) while a "
                                                   "minimum of 1 is required.")):
        make(cls).fit(np.empty((4, 0)), target(cls, 4))


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_a_single_case(cls, data):
    X, _ = data
    with raises(ValueError, f"{cls.__name__} needs at least 2 cases to train, got 1 sample. "
                            "Batch normalisation learns from several cases: pass more "
                            "training cases."):
        make(cls).fit(X[:1], target(cls, 1))


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_a_single_class(cls, data):
    X, _ = data
    with raises(ValueError, f"{cls.__name__} needs at least 2 classes to train, but y has 1 "
                            "class (3). A classifier learns to tell classes apart: pass cases "
                            "of two classes or more."):
        make(cls).fit(X, np.full(20, 3))


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_X_and_y_of_different_lengths(cls, data):
    X, _ = data
    with raises(ValueError, "X and y have inconsistent numbers of cases: X has 20, y has 19. "
                            "Pass one label (or target) per case of X."):
        make(cls).fit(X, target(cls, 19))


def test_1d_and_4d_X(data):
    X, y = data
    with raises(ValueError, "X must have 3 dimensions (n_cases, n_channels, n_timepoints), or 2 "
                            "(n_cases, n_timepoints) for one channel; got 1D X of shape (16,). "
                            "Reshape your data with X.reshape(1, -1) if it holds a single "
                            "series."):
        make(InceptionTimeClassifier).fit(X[0, 0], y)
    with raises(ValueError, "X must have 3 dimensions (n_cases, n_channels, n_timepoints), or 2 "
                            "(n_cases, n_timepoints) for one channel; got 4D X of shape "
                            "(20, 2, 16, 1). Reshape your data to 3 dimensions."):
        make(InceptionTimeClassifier).fit(X[..., np.newaxis], y)


def test_a_series_of_one_time_point_with_batches_of_one(data):
    X, y = data
    with raises(ValueError, "InceptionNetworkClassifier cannot train with batch_size=1 on "
                            "series of 1 time point: batch normalisation needs more than one "
                            "value per channel in a batch. Use batch_size >= 2."):
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
    X, _ = data
    X = X.astype(object)
    X[0, 0, 0] = {"value": 1}
    with raises(TypeError, "X must hold real numbers (float() argument must be a string or a "
                           "real number, not 'dict'). Encode text or categories as numbers "
                           "before fitting."):
        fitted.predict(X)


def test_text_that_is_no_number(data):
    X, y = data
    X = X.astype(str)
    X[1, 0, 2] = "high"
    with raises(TypeError, "X must hold real numbers (could not convert string to float: "
                           "np.str_('high')). Encode text or categories as numbers before "
                           "fitting."):
        make(InceptionNetworkClassifier).fit(X, y)


def test_complex_X(data):
    X, y = data
    with raises(ValueError, "Complex data not supported: InceptionTime needs real values. Pass "
                            "the real part, the magnitude, or the real and imaginary parts as "
                            "two channels."):
        make(InceptionNetworkClassifier).fit(X + 1j, y)


# --- targets ------------------------------------------------------------------------

@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_nan_and_none_labels(cls, data):
    X, _ = data
    with raises(ValueError, "y contains 2 NaN or infinite label(s) (first at case 4); drop "
                            "those cases or give them a label."):
        make(cls).fit(X, [np.nan if i in (4, 9) else i % 2 for i in range(20)])
    with raises(ValueError, "y contains 1 None label(s) (first at case 7); drop those cases or "
                            "give them a label."):
        make(cls).fit(X, [None if i == 7 else "ab"[i % 2] for i in range(20)])


@pytest.mark.parametrize("cls", [InceptionNetworkRegressor, InceptionTimeRegressor])
def test_missing_regression_targets(cls, data):
    X, _ = data
    y = list(np.linspace(0, 1, 20))
    y[6] = None
    with raises(ValueError, "y contains 1 NaN, infinite or too large (|y| > 3.4e+38) target(s) "
                            "(first at case 6); drop those cases or give them a finite "
                            "target."):
        make(cls).fit(X, y)


def test_labels_of_mixed_types(data):
    X, _ = data
    y = np.array([0, "a"] * 10, dtype=object)
    with raises(TypeError, "y mixes labels of types int, str that cannot be sorted ('<' not "
                           "supported between instances of 'str' and 'int'). Use labels of one "
                           "type, e.g. np.asarray(y).astype(str)."):
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
    with raises(ValueError, "X has 3 channels, but InceptionNetworkClassifier was fitted on 2 "
                            "channels (X of shape (20, 3, 16)). Pass X with the channels it was "
                            "fitted on, in the same order."):
        fitted.predict(np.concatenate([X, X[:, :1]], axis=1))


def test_a_different_series_length_at_predict(fitted, fitted_2d, data):
    """The policy: series at predict have the fitted length (see the estimators' Notes)."""
    X, _ = data
    with raises(ValueError, "the series have 12 time points, but InceptionNetworkClassifier was "
                            "fitted on series of 16 time points. Resample or crop the series "
                            "to the fitted length."):
        fitted.predict(X[:, :, :12])
    # 2D X: the time points are sklearn's features, with sklearn's wording first
    with raises(ValueError, "X has 20 features, but InceptionTimeClassifier is expecting 16 "
                            "features as input: the series have 20 time points, but "
                            "InceptionTimeClassifier was fitted on series of 16 time points. "
                            "Resample or crop the series to the fitted length."):
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
    "n_estimators": [0, -1, 2.5, "5", None],
    "n_filters": [0, -1, 2.5, "32", None],
    "kernel_size": [3, 0, -40, 40.0, "40", None],
    "depth": [0, -1, 1.5, "6", None],
    "use_residual": ["yes", 1, None],
    "use_bottleneck": ["no", 0, None],
    "use_custom_filters": ["yes", 1, None],
    "use_litemv": ["yes", 0, None],
    "max_epochs": [0, -1, 2.5, None],
    "batch_size": [0, -64, 64.0, None],
    "lr": [0, -0.001, np.inf, np.nan, "0.001", None],
    "lr_schedule": ["cosine", "", 1, None],
    "validation_fraction": [0, 1, 1.5, -0.1, "0.1"],
    "n_iter_no_change": [0, -1, 1.5, "5"],
    "class_weight": ["heavy", 1, [1, 2]],
    "device": [0, None, ["cpu"]],
    "callbacks": ["progress", (EpochTimer(),), [3], [("timer", "EpochTimer")], 0],
    "n_jobs": [0, 1.5, "all"],
    "random_state": [-1, 2**32, 1.5, "seed"],
    "verbose": [-1, "loud", 1.5],
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


@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize("device", ["gpu0", "not a device"])
def test_a_device_torch_does_not_know(cls, device, data):
    X, _ = data
    with raises(InvalidParameterError, f"The 'device' parameter must be a torch device, got "
                                       f"{device!r}; use 'auto', 'cpu', 'cuda' or 'cuda:N'."):
        make(cls, device=device).fit(X, target(cls, 20))


def test_a_device_torch_knows_but_cannot_use(data):
    X, y = data
    with pytest.raises(ValueError, match=re.escape(
        "device='meta' cannot be used on this machine (Cannot copy out of meta tensor; no "
        "data!). Use device='cpu'"
    )):
        make(InceptionTimeClassifier, device="meta").fit(X, y)
