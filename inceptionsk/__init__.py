"""inceptionsk: InceptionTime for time-series classification and regression, sklearn-style.

The network (:mod:`inceptionsk.network`) is tsai's InceptionTime in PyTorch; each network
is trained by skorch with the paper's recipe; the estimators are scikit-learn estimators
that drop into Pipelines, grid searches and cross-validation.
"""

from ._version import __version__
from .checkpoint import TrainingCheckpoint
from .distillation import distill
from .exceptions import (
    DamagedFileError,
    EmulatedPrecisionWarning,
    TrainingDivergedError,
    TrainingInterruptedWarning,
    UnverifiedFileWarning,
    WorkerDiedError,
)
from .export import export_onnx
from .fine_tuning import fine_tune
from .inception_time import (
    InceptionNetworkClassifier,
    InceptionNetworkRegressor,
    InceptionTimeClassifier,
    InceptionTimeRegressor,
)
from .lite_time import (
    LITENetworkClassifier,
    LITENetworkRegressor,
    LITETimeClassifier,
    LITETimeRegressor,
)
from .persistence import load, save
from .preprocessing import SeriesImputer, SeriesStandardScaler

__all__ = [
    "DamagedFileError",
    "EmulatedPrecisionWarning",
    "InceptionNetworkClassifier",
    "InceptionNetworkRegressor",
    "InceptionTimeClassifier",
    "InceptionTimeRegressor",
    "LITENetworkClassifier",
    "LITENetworkRegressor",
    "LITETimeClassifier",
    "LITETimeRegressor",
    "SeriesImputer",
    "SeriesStandardScaler",
    "TrainingCheckpoint",
    "TrainingDivergedError",
    "TrainingInterruptedWarning",
    "UnverifiedFileWarning",
    "WorkerDiedError",
    "__version__",
    "distill",
    "export_onnx",
    "fine_tune",
    "load",
    "save",
]
