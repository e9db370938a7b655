"""Property-based tests: whatever the shapes, dtypes, labels and hyperparameters, an estimator
either works (finite outputs, probabilities that sum to 1) or raises a ValueError/TypeError
with a message from this package or scikit-learn, never an error from inside torch."""

import os
import traceback

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from inceptionsk import (
    InceptionNetworkClassifier,
    InceptionNetworkRegressor,
    InceptionTimeClassifier,
    InceptionTimeRegressor,
)

#: Few examples of tiny networks trained one epoch: the whole file runs in well under a
#: minute. ``derandomize`` makes every run try the same examples.
FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])
ESTIMATORS = [
    InceptionNetworkClassifier, InceptionNetworkRegressor, InceptionTimeClassifier,
    InceptionTimeRegressor,
]
DTYPES = ["float64", "float32", "float16", "int64", "int8", "bool", "object", "str", "complex"]
SPECIAL = [np.nan, np.inf, -np.inf, 1e30, -1e30, 1e39, 0.0, 1e-30]


def assert_clear_error(exc):
    """A ValueError/TypeError with a message, raised by inceptionsk or scikit-learn."""
    assert isinstance(exc, (ValueError, TypeError)), f"{type(exc).__name__}: {exc}"
    assert str(exc).strip(), "an error without a message"
    origin = traceback.extract_tb(exc.__traceback__)[-1].filename
    assert f"{os.sep}inceptionsk{os.sep}" in origin or f"{os.sep}sklearn{os.sep}" in origin, (
        f"{type(exc).__name__} from {origin}: {exc}"
    )


def check_outputs(estimator, X):
    """Predictions of the right shape, finite; probabilities that sum to 1."""
    prediction = estimator.predict(X)
    assert len(prediction) == len(X)
    if hasattr(estimator, "predict_proba"):
        proba = estimator.predict_proba(X)
        assert not np.isnan(proba).any(), "a NaN probability"
        np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
        assert set(prediction) <= set(estimator.classes_)
    else:
        assert np.isfinite(prediction).all()


@st.composite
def series(draw):
    """X of 1 to 4 dimensions (sometimes empty), of any dtype, maybe with special values."""
    ndim = draw(st.sampled_from([1, 2, 3, 3, 3, 4]))
    shape = [draw(st.integers(2, 10))] + [draw(st.integers(1, 6)) for _ in range(ndim - 1)]
    if draw(st.integers(0, 9)) == 0:
        shape[draw(st.integers(0, ndim - 1))] = 0
    rng = np.random.RandomState(draw(st.integers(0, 2**16)))
    X = rng.normal(size=shape) * draw(st.sampled_from([1.0, 100.0, 1e-3]))
    if X.size and draw(st.integers(0, 3)) == 0:
        X.flat[rng.randint(X.size)] = draw(st.sampled_from(SPECIAL))
    dtype = draw(st.sampled_from(DTYPES[:2] * 3 + DTYPES[2:]))
    with np.errstate(all="ignore"):
        if dtype == "str":
            return X.astype(str)
        if dtype == "complex":
            return X + 1j
        if dtype == "bool":
            return X > 0
        if dtype.startswith("int"):
            return np.nan_to_num(X, posinf=100, neginf=-100).clip(-100, 100).astype(dtype)
        return X.astype(dtype)


@st.composite
def labels(draw, n_cases, regression):
    """Targets of any kind: ints, strings, bools, floats, mixed, with missing ones."""
    rng = np.random.RandomState(draw(st.integers(0, 2**16)))
    if regression:
        y = rng.normal(size=n_cases) * draw(st.sampled_from([1.0, 1e6]))
        if n_cases and draw(st.integers(0, 3)) == 0:
            y[rng.randint(n_cases)] = draw(st.sampled_from(SPECIAL))
        return y
    n_classes = draw(st.sampled_from([1, 2, 2, 3, 3]))
    codes = rng.randint(n_classes, size=n_cases)
    kind = draw(st.sampled_from(["int", "str", "bool", "float", "mixed", "none", "list"]))
    if kind == "int":
        return codes * 7 - 3
    if kind == "str":
        return np.array(["cat", "dog", "eel"])[codes]
    if kind == "bool":
        return codes == 0
    if kind == "float":
        return codes.astype(float)
    if kind == "list":
        return [f"label {code}" for code in codes]
    y = np.array([int(c) if c else "zero" for c in codes], dtype=object)
    if kind == "none" and n_cases:
        y[rng.randint(n_cases)] = None
    return y


@st.composite
def hyperparameters(draw, cls, invalid=True):
    """Small valid values, or now and then (with ``invalid``) an invalid one."""
    params = dict(
        n_filters=draw(st.integers(1, 3)), depth=draw(st.integers(1, 3)),
        kernel_size=draw(st.integers(4, 40)), batch_size=draw(st.integers(1, 12)),
        use_residual=draw(st.booleans()), use_bottleneck=draw(st.booleans()),
        # 10 may make training diverge, which must be reported clearly too
        lr=draw(st.sampled_from([1e-3, 0.01] + ([10.0] if invalid else []))),
        max_epochs=1, device="cpu", random_state=draw(st.integers(0, 100)),
    )
    if cls in (InceptionTimeClassifier, InceptionTimeRegressor):
        params["n_estimators"] = draw(st.integers(1, 2))
    if invalid and draw(st.integers(0, 4)) == 0:
        name = draw(st.sampled_from(sorted(params)))
        params[name] = draw(st.sampled_from([0, -1, 1.5, "x", None, np.inf]))
    return params


@FUZZ
@given(data=st.data())
def test_any_input_works_or_is_refused_clearly(data):
    cls = data.draw(st.sampled_from(ESTIMATORS))
    X = data.draw(series())
    regression = cls in (InceptionNetworkRegressor, InceptionTimeRegressor)
    y = data.draw(labels(len(X), regression))
    estimator = cls(**data.draw(hyperparameters(cls)))
    try:
        estimator.fit(X, y)
    except Exception as exc:  # noqa: BLE001 - what is raised is the property under test
        assert_clear_error(exc)
        event(f"fit refused: {type(exc).__name__}")  # --hypothesis-show-statistics
        return
    event("fit worked")
    # scored on the training X and on another draw, of a layout that may not fit
    for X_new in (X, data.draw(series())):
        try:
            check_outputs(estimator, X_new)
        except AssertionError:
            raise
        except Exception as exc:  # noqa: BLE001
            assert_clear_error(exc)


@FUZZ
@given(data=st.data())
def test_valid_input_always_trains_and_predicts(data):
    """Well-formed series of any small layout and any valid hyperparameters: no errors."""
    cls = data.draw(st.sampled_from(ESTIMATORS))
    n_cases = data.draw(st.integers(2, 12))
    n_channels, length = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 25))
    rng = np.random.RandomState(data.draw(st.integers(0, 2**16)))
    X = rng.normal(size=(n_cases, n_channels, length)).astype(np.float32)
    params = data.draw(hyperparameters(cls, invalid=False))
    if length == 1:  # batch normalisation needs two values per channel in a batch
        params["batch_size"] = max(params["batch_size"], 2)
    regression = cls in (InceptionNetworkRegressor, InceptionTimeRegressor)
    y = rng.normal(size=n_cases) if regression else np.resize(["a", "b", "c"],
                                                              n_cases)[rng.permutation(n_cases)]
    estimator = cls(**params).fit(X, y)
    check_outputs(estimator, X)
    check_outputs(estimator, X[:1])

