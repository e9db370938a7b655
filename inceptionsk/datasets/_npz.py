"""Datasets stored as ``.npz`` files: the bundled ones, and files of the same layout.

Such a file holds the published splits as ``X_train``, ``y_train``, ``X_test``,
``y_test`` (X float32 of shape (n_cases, n_channels, n_timepoints), or, for unequal
lengths, a 1D object array of 2D arrays) and optionally ``problem_name``, ``task``
("classification" or "regression") and ``description``.
"""

from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ._splits import select_split

__all__ = ["load_npz"]


def _open(file, allow_pickle, source):
    try:
        with np.load(file, allow_pickle=allow_pickle) as archive:
            return {key: archive[key] for key in archive.files}
    except ValueError as exc:
        if "allow_pickle" not in str(exc):
            raise
        raise ValueError(
            f"{source} holds object arrays (unequal-length series), which numpy stores as "
            "pickles; load it with allow_pickle=True (--allow-pickle on the command line) "
            "only if you trust the file."
        ) from None


def load_npz(file, *, split=None, return_X_y=False, allow_pickle=False, name=None):
    """Load a dataset from an ``.npz`` file with ``X_train``, ``y_train``, ``X_test``, ``y_test``.

    Parameters
    ----------
    file : str, path-like or binary file object
        The ``.npz`` file.
    split : {"train", "test"} or None, default=None
        The split to return; None joins both, train first.
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of a Bunch.
    allow_pickle : bool, default=False
        Whether to read object arrays (unequal-length series), which numpy stores as
        pickles: only for files you trust.
    name : str, default=None
        The dataset's name; by default the file's ``problem_name``, else its stem.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch` or tuple
        ``data``, ``target``, ``target_names`` (None for regression), ``name``,
        ``DESCR`` and ``source``; or ``(X, y)`` when ``return_X_y`` is True.

    Examples
    --------
    >>> import io
    >>> import numpy as np
    >>> from inceptionsk.datasets import load_npz
    >>> X, y = np.zeros((4, 1, 10), dtype=np.float32), np.array(["a", "b", "a", "b"])
    >>> file = io.BytesIO()
    >>> np.savez(file, X_train=X, y_train=y, X_test=X[:2], y_test=y[:2])
    >>> _ = file.seek(0)
    >>> data = load_npz(file, name="Zeros")
    >>> data.data.shape, data.target_names.tolist()
    ((6, 1, 10), ['a', 'b'])
    """
    source = getattr(file, "name", file)
    arrays = _open(file, allow_pickle, Path(str(source)).name)
    missing = {"X_train", "y_train", "X_test", "y_test"} - set(arrays)
    if missing:
        raise ValueError(
            f"{Path(str(source)).name} lacks the arrays {', '.join(sorted(missing))}; a "
            "dataset .npz holds X_train, y_train, X_test and y_test."
        )
    X, y = select_split(
        split,
        lambda: (arrays["X_train"], arrays["y_train"]),
        lambda: (arrays["X_test"], arrays["y_test"]),
    )
    if return_X_y:
        return X, y
    if name is None:
        name = str(arrays["problem_name"]) if "problem_name" in arrays else Path(str(source)).stem
    regression = str(arrays.get("task", "")) == "regression" or y.dtype.kind == "f"
    return Bunch(
        data=X, target=y,
        target_names=None if regression else np.unique(np.concatenate(
            [arrays["y_train"], arrays["y_test"]])),
        name=name, DESCR=str(arrays.get("description", "")), source=str(source),
    )
