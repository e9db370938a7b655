"""SeriesStandardScaler: per-series z-normalisation, 2D and 3D."""

import numpy as np
import pytest

from inceptionsk import SeriesStandardScaler


def test_each_series_and_channel_gets_mean_0_std_1(rng):
    X = rng.normal(loc=5, scale=3, size=(10, 3, 50))
    Xt = SeriesStandardScaler().fit_transform(X)
    np.testing.assert_allclose(Xt.mean(axis=-1), 0, atol=1e-6)
    np.testing.assert_allclose(Xt.std(axis=-1), 1, atol=1e-6)
    assert Xt.shape == X.shape and Xt.dtype == np.float64


def test_2d_input_stays_2d_and_constant_series_become_zero(rng):
    X = np.vstack([rng.normal(size=(3, 20)), np.full((1, 20), 7.0)]).astype(np.float32)
    Xt = SeriesStandardScaler().fit_transform(X)
    assert Xt.shape == (4, 20) and Xt.dtype == np.float32
    np.testing.assert_array_equal(Xt[3], 0)


def test_options_and_statelessness(rng):
    X = rng.normal(loc=2, scale=4, size=(5, 2, 30))
    centred = SeriesStandardScaler(with_std=False).fit_transform(X)
    np.testing.assert_allclose(centred, X - X.mean(axis=-1, keepdims=True))
    scaler = SeriesStandardScaler().fit(X[:2])
    alone = SeriesStandardScaler().fit_transform(X[3:4])[0]
    np.testing.assert_allclose(scaler.transform(X)[3], alone)


def test_channel_mismatch_is_an_error(rng):
    scaler = SeriesStandardScaler().fit(rng.normal(size=(4, 3, 10)))
    with pytest.raises(ValueError, match="X has 2 channels"):
        scaler.transform(rng.normal(size=(4, 2, 10)))
