"""Loaders of the datasets bundled with the package (from the UCR/UEA archives).

Each ``data/<Name>.npz`` holds the published train and test splits (``X_train``,
``y_train``, ``X_test``, ``y_test``; X as float32 ``(n_cases, n_channels,
n_timepoints)``) and the archive's description. Please cite the archives when you use
them: Dau et al., "The UCR Time Series Archive", IEEE/CAA J. Autom. Sinica 2019; Bagnall
et al., "The UEA multivariate time series classification archive, 2018", arXiv:1811.00075.
"""

from importlib import resources

from ._npz import load_npz

__all__ = ["BUNDLED_DATASETS", "load_basic_motions", "load_bundled", "load_gunpoint"]

#: Names of the datasets shipped inside the package.
BUNDLED_DATASETS = ("BasicMotions", "GunPoint")


def load_bundled(name, *, split=None, return_X_y=False):
    """Load a bundled dataset by its name (one of ``BUNDLED_DATASETS``)."""
    if name not in BUNDLED_DATASETS:
        raise ValueError(
            f"No bundled dataset named {name!r}; bundled: {', '.join(BUNDLED_DATASETS)}."
        )
    with resources.files(__package__).joinpath("data", f"{name}.npz").open("rb") as file:
        # the bundled files hold equal-length float arrays only: no pickles needed
        bunch = load_npz(file, split=split, return_X_y=return_X_y, name=name)
    if not return_X_y:
        bunch.source = f"inceptionsk's bundled {name}.npz"
    return bunch


def load_gunpoint(*, split=None, return_X_y=False):
    """Load GunPoint: 200 univariate series of 150 points, 2 classes (UCR archive).

    Parameters
    ----------
    split : {"train", "test"} or None, default=None
        The published split to load (50 train, 150 test cases); None loads both, train
        first.
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (float32, shape (n_cases, 1, 150)), ``target`` (labels "1"/"2"),
        ``target_names``, ``name``, ``DESCR`` (the archive's description) and
        ``source``.
    (X, y) : tuple
        When ``return_X_y`` is True.

    Examples
    --------
    >>> from inceptionsk.datasets import load_gunpoint
    >>> X, y = load_gunpoint(split="train", return_X_y=True)
    >>> X.shape, y[:3]
    ((50, 1, 150), array(['2', '2', '1'], dtype='<U1'))
    """
    return load_bundled("GunPoint", split=split, return_X_y=return_X_y)


def load_basic_motions(*, split=None, return_X_y=False):
    """Load BasicMotions: 80 series of 6 channels and 100 points, 4 classes (UEA archive).

    Parameters
    ----------
    split : {"train", "test"} or None, default=None
        The published split to load (40 train, 40 test cases); None loads both.
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (float32, shape (n_cases, 6, 100)), ``target``, ``target_names``,
        ``name``, ``DESCR`` and ``source``.
    (X, y) : tuple
        When ``return_X_y`` is True.

    Examples
    --------
    >>> from inceptionsk.datasets import load_basic_motions
    >>> X, y = load_basic_motions(split="test", return_X_y=True)
    >>> X.shape, sorted(set(y.tolist()))
    ((40, 6, 100), ['Badminton', 'Running', 'Standing', 'Walking'])
    """
    return load_bundled("BasicMotions", split=split, return_X_y=return_X_y)
