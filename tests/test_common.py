"""scikit-learn's estimator checks on every public estimator, with small settings."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from inceptionsk import (
    InceptionNetworkClassifier,
    InceptionNetworkRegressor,
    InceptionTimeClassifier,
    InceptionTimeRegressor,
    SeriesStandardScaler,
)

# Small networks, enough epochs to fit sklearn's toy problems (blobs, make_regression).
NETWORK = dict(n_filters=4, depth=3, kernel_size=8, max_epochs=30, batch_size=32, device="cpu")

ESTIMATORS = [
    InceptionNetworkClassifier(**NETWORK),
    InceptionNetworkRegressor(**NETWORK),
    InceptionTimeClassifier(n_estimators=2, **NETWORK),
    InceptionTimeRegressor(n_estimators=2, **NETWORK),
    SeriesStandardScaler(),
]

EXPECTED_FAILED_CHECKS = {}


@parametrize_with_checks(
    ESTIMATORS, expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(type(est), {})
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
