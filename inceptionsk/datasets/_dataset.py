"""``load_dataset``: one entry point for a bundled name, a dataset folder or a data file.

What the command line and the benchmark take as DATA. An existing path wins over a
bundled name, so that ``GunPoint`` inside a copy of the archive means that folder.
"""

import re
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ._bundled import BUNDLED_DATASETS, load_bundled
from ._npz import load_npz
from ._splits import check_split, select_split
from ._ts import load_ts_file
from ._ucr_tsv import load_ucr_tsv_file

__all__ = ["load_dataset"]

_SUFFIXES = (".ts", ".tsv")
_PAIR_STEM = re.compile(r"^(?P<name>.+)_(?P<split>train|test)$", re.IGNORECASE)


def _listing(folder, limit=12):
    """A short, sorted listing of a folder's entries for an error message."""
    names = sorted(entry.name + ("/" if entry.is_dir() else "") for entry in folder.iterdir())
    if not names:
        return "it is empty"
    shown = ", ".join(names[:limit])
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return f"it holds: {shown}{more}"


def _find_case_insensitive(folder, filename):
    for entry in folder.iterdir():
        if entry.name.lower() == filename.lower() and entry.is_file():
            return entry
    return None


def _pair_in_folder(folder):
    """The train file of a dataset folder ``<Name>/<Name>_TRAIN.ts`` (or ``.tsv``)."""
    for suffix in _SUFFIXES:
        found = _find_case_insensitive(folder, f"{folder.name}_TRAIN{suffix}")
        if found is not None:
            return found
    subfolders = sorted(entry.name for entry in folder.iterdir() if entry.is_dir())
    if subfolders and not any(folder.glob("*_TRAIN.*")):
        hint = (f"it looks like an archive: pass one of its dataset folders, e.g. "
                f"{folder / subfolders[0]} ({_listing(folder)})")
    else:
        hint = _listing(folder)
    raise FileNotFoundError(
        f"The folder {folder} holds no {folder.name}_TRAIN.ts or {folder.name}_TRAIN.tsv; "
        f"{hint}."
    )


def _partner(path, split):
    """The file of ``split`` in the pair that ``path`` (``X_TRAIN.ts`` or ``X_TEST.ts``) is in."""
    match = _PAIR_STEM.match(path.stem)
    if match is None:
        # not one of a pair: the file is the data, whatever the split
        return path
    if match["split"].lower() == split:
        return path
    word = "TRAIN" if split == "train" else "TEST"
    partner = _find_case_insensitive(path.parent, f"{match['name']}_{word}{path.suffix}")
    if partner is None:
        raise FileNotFoundError(
            f"The {split} split of {path.name} should be in "
            f"{path.parent / (match['name'] + '_' + word + path.suffix)}, which does not "
            f"exist; {_listing(path.parent)}."
        )
    return partner


def _read_text_file(path):
    """``(X, y, description)`` of a ``.ts`` or ``.tsv`` file."""
    if path.suffix.lower() == ".ts":
        X, y, header = load_ts_file(path, return_metadata=True)
        return X, y, "\n".join(header["description"])
    X, y = load_ucr_tsv_file(path)
    return X, y, ""


def _dataset_name(path):
    match = _PAIR_STEM.match(path.stem)
    return match["name"] if match else path.stem


def _load_text_pair(path, split, return_X_y):
    files = {}

    def read(which):
        files[which] = _partner(path, which)
        X, y, description = _read_text_file(files[which])
        files[f"{which}_description"] = description
        return X, y

    X, y = select_split(split, lambda: read("train"), lambda: read("test"))
    if return_X_y:
        return X, y
    description = files.get("train_description") or files.get("test_description", "")
    sources = sorted({str(files[key]) for key in ("train", "test") if key in files})
    is_classification = y is not None and y.dtype.kind in "UO"
    return Bunch(
        data=X, target=y, target_names=np.unique(y) if is_classification else None,
        name=_dataset_name(path), DESCR=description, source=", ".join(sources),
    )


def _bundled_name(text):
    for name in BUNDLED_DATASETS:
        if name.lower() == text.lower():
            return name
    return None


def load_dataset(name_or_path, *, split=None, return_X_y=False, allow_pickle=False):
    """Load a dataset by bundled name, UCR/UEA dataset folder, or data file.

    Parameters
    ----------
    name_or_path : str or path-like
        One of:

        - the name of a bundled dataset (``"GunPoint"``, ``"BasicMotions"``; any case);
        - a dataset folder of the UCR 2018 or UEA archive, ``<Name>/`` holding
          ``<Name>_TRAIN.tsv`` and ``<Name>_TEST.tsv`` (or ``.ts``);
        - one file of such a pair (``GunPoint_TRAIN.ts``): ``split`` picks the file of
          the pair; a ``.ts``/``.tsv`` file not named ``*_TRAIN``/``*_TEST`` is loaded
          as it is, whatever the split;
        - an ``.npz`` file with ``X_train``, ``y_train``, ``X_test``, ``y_test``.

        An existing path wins over a bundled name.
    split : {"train", "test"} or None, default=None
        The published split to load; None joins both, train first.
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of a Bunch.
    allow_pickle : bool, default=False
        Let an ``.npz`` file hold object arrays (unequal-length series), which numpy
        stores as pickles: only for files you trust.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (float32 of shape (n_cases, n_channels, n_timepoints), or a 1D object
        array of 2D arrays when the series are of unequal length), ``target`` (None for
        unlabelled ``.ts`` files), ``target_names`` (None for regression), ``name``
        (e.g. ``"GunPoint"`` for ``GunPoint_TRAIN.ts``), ``DESCR`` and ``source`` (the
        files read).
    (X, y) : tuple
        When ``return_X_y`` is True.

    Raises
    ------
    FileNotFoundError
        When nothing of that name or path exists; the message lists what is there.
    DataFileError
        When a file is malformed; the message names the file and the line.

    See Also
    --------
    load_ts_file : Reads one ``.ts`` file.
    load_ucr_tsv_file : Reads one UCR ``.tsv`` file.

    Examples
    --------
    >>> from inceptionsk.datasets import load_dataset
    >>> data = load_dataset("gunpoint", split="test")
    >>> data.name, data.data.shape
    ('GunPoint', (150, 1, 150))
    """
    check_split(split)
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        return _load_text_pair(_pair_in_folder(path), split, return_X_y)
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix in _SUFFIXES:
            return _load_text_pair(path, split, return_X_y)
        if suffix == ".npz":
            return load_npz(path, split=split, return_X_y=return_X_y,
                            allow_pickle=allow_pickle)
        raise ValueError(
            f"{path.name}: unsupported file type {path.suffix!r}; expected a .ts, .tsv or "
            ".npz file, or a dataset folder."
        )
    bundled = _bundled_name(str(name_or_path))
    if bundled is not None:
        return load_bundled(bundled, split=split, return_X_y=return_X_y)
    message = (
        f"{str(name_or_path)!r} is neither a bundled dataset ({', '.join(BUNDLED_DATASETS)}) "
        "nor an existing file or folder."
    )
    if path.parent != Path(".") and path.parent.is_dir():
        message += f" In {path.parent}, {_listing(path.parent)}."
    raise FileNotFoundError(message)
