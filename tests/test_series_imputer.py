"""SeriesImputer: gaps filled along time from each series alone, the path to train on gaps."""

import re

import numpy as np
import pytest
from conftest import GUNPOINT
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from inceptionsk import InceptionTimeClassifier, SeriesImputer, SeriesStandardScaler

NAN = np.nan
X_GAPS = np.array([
    [[NAN, 1.0, NAN, NAN, 4.0, NAN], [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]],
    [[5.0, NAN, 7.0, NAN, NAN, NAN], [NAN, NAN, NAN, NAN, NAN, -1.0]],
])


@pytest.mark.parametrize("strategy, expected", [
    ("linear", [[[1, 1, 2, 3, 4, 4], [0, 2, 4, 6, 8, 10]],
                [[5, 6, 7, 7, 7, 7], [-1, -1, -1, -1, -1, -1]]]),
    ("ffill", [[[1, 1, 1, 1, 4, 4], [0, 2, 4, 6, 8, 10]],
               [[5, 5, 7, 7, 7, 7], [-1, -1, -1, -1, -1, -1]]]),
    ("zero", [[[0, 1, 0, 0, 4, 0], [0, 2, 4, 6, 8, 10]],
              [[5, 0, 7, 0, 0, 0], [0, 0, 0, 0, 0, -1]]]),
])
def test_strategies_fill_each_series_along_time(strategy, expected):
    filled = SeriesImputer(strategy=strategy).fit_transform(X_GAPS)
    np.testing.assert_array_equal(filled, expected)
    assert filled.dtype == np.float64


@pytest.mark.parametrize("strategy", ["linear", "ffill", "zero"])
def test_observed_values_kept_no_nan_left_dtype_and_2d_kept(strategy, rng):
    X = rng.normal(size=(30, 3, 50)).astype(np.float32)
    gaps = rng.uniform(size=X.shape) < 0.3
    X_gaps = np.where(gaps, np.nan, X)
    filled = SeriesImputer(strategy=strategy).fit_transform(X_gaps)
    assert filled.dtype == np.float32 and filled.shape == X.shape
    assert not np.isnan(filled).any()
    np.testing.assert_array_equal(filled[~gaps], X[~gaps])
    flat = SeriesImputer(strategy=strategy).fit_transform(X_gaps[:, 0])
    np.testing.assert_array_equal(flat, filled[:, 0])
    # the input is left as it was
    assert np.isnan(X_gaps).sum() == gaps.sum()


def test_a_series_without_observed_values_becomes_zeros_with_a_warning():
    X = X_GAPS.copy()
    X[1, 0] = np.nan
    message = ("SeriesImputer: 1 series have no observed value (the first at case 1, channel "
               "0) and were filled with zeros.")
    with pytest.warns(UserWarning, match=f"^{re.escape(message)}$") as record:
        filled = SeriesImputer().fit_transform(X)
    np.testing.assert_array_equal(filled[1, 0], 0)
    np.testing.assert_array_equal(filled[1, 1], -1)
    # the warning points at the user's call, not into scikit-learn's transform wrapper
    assert record[0].filename == __file__
    with pytest.warns(UserWarning) as record:
        make_pipeline(SeriesImputer()).fit_transform(X)
    assert record[0].filename == __file__


def test_stateless_a_case_is_filled_the_same_alone_and_without_fit(rng):
    X = np.where(rng.uniform(size=(10, 2, 40)) < 0.2, np.nan, rng.normal(size=(10, 2, 40)))
    imputer = SeriesImputer().fit(X[:3])
    np.testing.assert_array_equal(imputer.transform(X)[7], SeriesImputer().transform(X[7:8])[0])


def test_infinity_and_bad_strategy_are_refused():
    X = X_GAPS.copy()
    X[0, 1, 2] = np.inf
    with pytest.raises(ValueError, match=r"X contains 1 infinite value\(s\) \(first at case 0, "
                                         r"channel 1, time point 2\)"):
        SeriesImputer().fit_transform(X)
    with pytest.raises(InvalidParameterError, match="'strategy' parameter of SeriesImputer"):
        SeriesImputer(strategy="mean").fit(X_GAPS)


def test_a_pipeline_trains_on_series_with_gaps(gunpoint):
    """GunPoint with 20% of its time points missing: the estimator alone refuses it and
    says where; imputer + scaler + classifier learn it."""
    X_train, y_train, X_test, y_test = gunpoint
    rng = np.random.RandomState(0)
    X_train = np.where(rng.uniform(size=X_train.shape) < 0.2, np.nan, X_train)
    X_test = np.where(rng.uniform(size=X_test.shape) < 0.2, np.nan, X_test)
    clf = InceptionTimeClassifier(n_estimators=1, random_state=0, **GUNPOINT)
    with pytest.raises(ValueError, match=r"X contains \d+ NaN value\(s\) \(first at case 0, "
                                         r"channel 0, time point \d+\)\..*SeriesImputer"):
        clf.fit(X_train, y_train)
    pipe = make_pipeline(SeriesImputer(), SeriesStandardScaler(), clf)
    assert pipe.fit(X_train, y_train).score(X_test, y_test) >= 0.8
