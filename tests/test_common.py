"""scikit-learn's estimator checks on every public estimator, with small settings."""

from conftest import TINY
from sklearn.utils.estimator_checks import parametrize_with_checks

from inceptionsk import (
    InceptionNetworkClassifier,
    InceptionNetworkRegressor,
    InceptionTimeClassifier,
    InceptionTimeRegressor,
    LITENetworkClassifier,
    LITENetworkRegressor,
    LITETimeClassifier,
    LITETimeRegressor,
    SeriesImputer,
    SeriesStandardScaler,
)

# Small networks with enough epochs to fit sklearn's toy problems: blobs (accuracy > 0.83)
# and make_regression (R^2 > 0.5), where one informative feature has a fixed position.
NETWORK = dict(TINY, n_filters=4, depth=3, batch_size=32, lr=0.01)
CLASSIFIER = dict(NETWORK, max_epochs=15)
REGRESSOR = dict(NETWORK, max_epochs=30)

# kernel_size=4 (kernels 4, 2, 1): with the default 40 LITE learns sklearn's 2-step toy
# problems (tests/test_short_series.py), but at these settings its class weights move
# too few of the predictions of check_class_weight_classifiers' overlapping blobs
LITE = dict(n_filters=4, kernel_size=4, batch_size=32, lr=0.01, device="cpu")

ESTIMATORS = [
    InceptionNetworkClassifier(**CLASSIFIER),
    InceptionNetworkRegressor(**REGRESSOR),
    InceptionTimeClassifier(n_estimators=2, **CLASSIFIER),
    InceptionTimeRegressor(n_estimators=2, **REGRESSOR),
    LITENetworkClassifier(**LITE, max_epochs=15),
    LITENetworkRegressor(**LITE, max_epochs=60),
    LITETimeClassifier(n_estimators=2, **LITE, max_epochs=15),
    LITETimeRegressor(n_estimators=2, **LITE, max_epochs=60),
    SeriesStandardScaler(),
    SeriesImputer(),
]

#: Checks that demand an equivalence mini-batch training cannot give.
SAMPLE_WEIGHT_EQUIVALENCE = (
    "a case of weight 2 counts twice in its batch's loss, but a duplicated case lands in "
    "another shuffled batch and changes the batches of the epoch, so the two trainings "
    "differ; tests/test_weights.py tests what the weights do"
)
EXPECTED_FAILED_CHECKS = {
    cls: {"check_sample_weight_equivalence_on_dense_data": SAMPLE_WEIGHT_EQUIVALENCE}
    for cls in (InceptionNetworkClassifier, InceptionNetworkRegressor, InceptionTimeClassifier,
                InceptionTimeRegressor, LITENetworkClassifier, LITENetworkRegressor,
                LITETimeClassifier, LITETimeRegressor)
}


@parametrize_with_checks(
    ESTIMATORS, expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(type(est), {})
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
