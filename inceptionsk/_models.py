"""The models of the family that the command line and the benchmark train, by name."""

from typing import NamedTuple

from .inception_time import InceptionTimeClassifier, InceptionTimeRegressor
from .lite_time import LITETimeClassifier, LITETimeRegressor

__all__ = ["MODELS", "ModelChoice"]


class ModelChoice(NamedTuple):
    """A model the command line trains: its estimator, the parameters that make it, the
    name of its published results (:data:`inceptionsk.datasets.MODELS`), and its
    regressor (the same network and parameters, for a numeric target)."""

    estimator: type
    params: dict
    published: str
    regressor: type


#: ``--model``: the InceptionTime family, each as the ensemble its papers evaluate.
MODELS = {
    "inceptiontime": ModelChoice(InceptionTimeClassifier, {}, "InceptionTime",
                                 InceptionTimeRegressor),
    "h-inceptiontime": ModelChoice(InceptionTimeClassifier, {"use_custom_filters": True},
                                   "H-InceptionTime", InceptionTimeRegressor),
    "litetime": ModelChoice(LITETimeClassifier, {}, "LITETime", LITETimeRegressor),
    # the authors published LITEMV's results apart from LITETime's table used here
    "litemv": ModelChoice(LITETimeClassifier, {"use_litemv": True}, "LITETime",
                          LITETimeRegressor),
}
