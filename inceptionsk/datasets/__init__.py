"""Datasets: the bundled UCR/UEA problems, loaders of the archives' files, published results.

- :func:`load_gunpoint`, :func:`load_basic_motions`: bundled with the package.
- :func:`load_dataset`: a bundled name, a UCR/UEA dataset folder, a ``.ts``/``.tsv``
  file of a train/test pair, or an ``.npz`` file.
- :func:`load_ts_file`, :func:`load_ucr_tsv_file`: one file of the sktime/aeon ``.ts``
  format or of the UCR 2018 archive's ``.tsv`` layout.
- :func:`published_accuracy`, :func:`published_result`, :func:`load_published_results`:
  the accuracies published for InceptionTime, H-InceptionTime and LITETime, to compare with;
  :func:`published_single_runs` (the paper's five single networks per UCR dataset) and
  :func:`published_rmse` (the TSER study's regressors).
- :func:`trim_trailing_nan`: NaN-padded series of unequal length (the UCR archive's
  layout) as the list of series of their own lengths that the estimators take.
"""

from ._bundled import BUNDLED_DATASETS, load_basic_motions, load_gunpoint
from ._dataset import load_dataset
from ._errors import DataFileError
from ._npz import load_npz
from ._published import (
    MODELS,
    TSER_MODELS,
    PublishedResult,
    load_published_results,
    published_accuracy,
    published_result,
    published_rmse,
    published_single_runs,
)
from ._ts import load_ts_file
from ._ucr_tsv import load_ucr_tsv_file
from ._unequal import trim_trailing_nan

__all__ = [
    "BUNDLED_DATASETS",
    "MODELS",
    "TSER_MODELS",
    "DataFileError",
    "PublishedResult",
    "load_basic_motions",
    "load_dataset",
    "load_gunpoint",
    "load_npz",
    "load_published_results",
    "load_ts_file",
    "load_ucr_tsv_file",
    "published_accuracy",
    "published_result",
    "published_rmse",
    "published_single_runs",
    "trim_trailing_nan",
]
