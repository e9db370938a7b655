"""Saving a fitted estimator to one file and loading it back, without pickle.

:func:`save` writes any fitted estimator of this package (an ensemble or a single
network, alone or at the end of a ``Pipeline`` of this package's transformers) to one
file; :func:`load` reads it back, on the CPU unless asked otherwise, so
that a model trained on a GPU loads on a machine without one. ``pickle`` and ``joblib``
work too, but unpickling runs whatever code the file names; these files hold only
tensors and plain values, which :func:`torch.load` reads with ``weights_only=True``, so
loading a file from someone else cannot run code.

File format, version 2
----------------------
Four lines of ASCII text, then a :func:`torch.save` archive (a zip file) of one dict::

    inceptionsk model
    format_version 2
    sha256 <64 hex digits: the SHA-256 digest of the archive's bytes>
    size <the archive's length in bytes>
    <the archive>

    {"format": "inceptionsk", "format_version": 2,
     "inceptionsk_version": "0.1.0", "torch_version": "2.13.0",
     "estimator": <estimator record>}

:func:`load` checks the size and the digest before it reads anything from the archive,
so a file damaged on disk or in transfer (a flipped bit, a truncation) is refused with a
:class:`~inceptionsk.DamagedFileError` instead of loading weights that predict
something else. Files of format version 1 (inceptionsk 0.1, the bare archive) still load,
with a warning that they cannot be verified, and predict as they did: a class may name
what it computed otherwise in an earlier version (``_earlier_format_attributes``: LITE's
dilated layers keep 0.1's Keras alignment).

An estimator record is ``{"class": name, "params": {...}, "attributes": {...}}``: the
class name (one of this package's estimators or transformers, scikit-learn's
``Pipeline``, or its ``StandardScaler`` for the regressors' target scaling), the
constructor parameters, and the fitted attributes (those ending in ``_`` and the private
layout ones). Values are ``None``, bools, ints,
floats, strings, lists, dicts with string keys, tensors, and three tagged dicts:

- ``{"__ndarray__": nested list, "dtype": numpy dtype string}`` for a numpy array
  (``classes_``, ``feature_names_in_``, the target scaler's statistics);
- ``{"__estimator__": estimator record}`` for an ensemble's members, the target
  scaler and a pipeline's steps (``steps`` is a list of ``[name, step]`` pairs);
- ``{"__net__": {"n_channels", "n_outputs", "drop_last", "state_dict", "history",
  "optimizer"}}`` for a member's trained skorch net: the shape of its network, its
  ``state_dict`` as CPU tensors, skorch's history as JSON text, and, for a network whose
  training was interrupted, the optimizer's ``state_dict`` so that ``resume`` continues
  with Adam's moments and the current learning rate (a finished network never trains
  again, so its optimizer state is not kept).

Two parameters are not saved, because they hold objects rather than values: ``callbacks``
(code; set them again with ``set_params`` before ``resume``) and a ``random_state`` given
as a ``RandomState`` instance (saved as ``None``). :func:`save` warns when it drops one.

A file written with a newer format version, a damaged or truncated file, and a file that
is not a model saved by :func:`save` are refused with a ``ValueError``
(:class:`~inceptionsk.DamagedFileError` for a damaged one).

:func:`save` to a path writes a temporary file in the same folder, flushes it to the disk
(``fsync``) and renames it onto the path (``os.replace``, atomic): a save that fails (a
full disk, a file size limit, an interrupt) raises and removes its temporary file, and
the file that was at the path before is left as it was.
"""

import hashlib
import io
import json
import os
import re
import secrets
import warnings

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from skorch import NeuralNet
from skorch.history import History

from ._version import __version__
from .exceptions import DamagedFileError, UnverifiedFileWarning, find_stack_level
from .training import resolve_device

__all__ = ["FORMAT_VERSION", "SaveMixin", "load", "register", "save"]

#: The version of the file format that :func:`save` writes and :func:`load` reads.
FORMAT_VERSION = 2

#: The first line of a file of format version 2 or later.
_MAGIC = b"inceptionsk model\n"
#: The whole header, read strictly: a flipped bit anywhere in it fails to match.
_HEADER = re.compile(
    rb"inceptionsk model\nformat_version ([1-9][0-9]{0,5})\nsha256 ([0-9a-f]{64})\n"
    rb"size ([1-9][0-9]{0,15})\n"
)

#: The classes a file may name: nothing else is ever built from a file. The package's
#: estimators and transformers add themselves with :func:`register`.
_CLASSES = {cls.__name__: cls for cls in (Pipeline, StandardScaler)}


def register(savable_class):
    """Class decorator: let :func:`load` build instances of ``savable_class`` from a file.

    Registered classes that derive from :class:`SaveMixin` are estimators, which
    :func:`save` writes alone or at the end of a Pipeline; the others are transformers,
    which may come before one in a Pipeline.

    Parameters
    ----------
    savable_class : type
        An estimator or transformer whose parameters and fitted state are arrays,
        tensors and plain values.

    Returns
    -------
    savable_class : type
        The class itself.

    Examples
    --------
    The package's estimators and transformers are registered where they are defined:

    >>> from inceptionsk import SeriesImputer
    >>> from inceptionsk.persistence import register
    >>> register(SeriesImputer) is SeriesImputer
    True
    """
    _CLASSES[savable_class.__name__] = savable_class
    return savable_class


class SaveMixin:
    """``save(path)``, for the ensembles and the single networks alike.

    Examples
    --------
    >>> from inceptionsk import InceptionTimeClassifier
    >>> from inceptionsk.persistence import SaveMixin
    >>> issubclass(InceptionTimeClassifier, SaveMixin)
    True
    """

    def save(self, path):
        """Save the fitted estimator to one file, to be read by :func:`inceptionsk.load`.

        Parameters
        ----------
        path : str, path-like or binary file object
            Where to write; an existing file is replaced.

        See Also
        --------
        inceptionsk.persistence : The file format.
        """
        save(self, path)


def _is_estimator(step):
    return isinstance(step, SaveMixin) and _CLASSES.get(type(step).__name__) is type(step)


def _is_transformer(step):
    return step in (None, "passthrough") or (
        not isinstance(step, SaveMixin) and _CLASSES.get(type(step).__name__) is type(step)
    )

# A zip archive, which torch.save writes, begins with these bytes.
_ZIP_MAGIC = b"PK\x03\x04"


def save(estimator, path):
    """Save a fitted estimator of this package to one file.

    Parameters
    ----------
    estimator : InceptionTimeClassifier, InceptionTimeRegressor, \
InceptionNetworkClassifier, InceptionNetworkRegressor or Pipeline
        A fitted estimator (possibly one whose training was interrupted), or a fitted
        ``Pipeline`` of this package's transformers (``SeriesImputer``,
        ``SeriesStandardScaler``) ending with one.
    path : str, path-like or binary file object
        Where to write. A path is written through a temporary file in the same folder,
        synced to the disk and renamed, so an existing file is never left half-written.

    Raises
    ------
    OSError
        When the file cannot be written (a full disk, a file size limit): the message
        says why; the temporary file is removed and a file that was at ``path`` stays
        as it was.

    See Also
    --------
    load : Read the file back.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from inceptionsk import InceptionNetworkClassifier, load
    >>> X = np.random.RandomState(0).normal(size=(10, 1, 20)); y = [0, 1] * 5
    >>> clf = InceptionNetworkClassifier(n_filters=2, depth=1, max_epochs=1).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.pt")
    >>> clf.save(path)
    >>> bool((load(path).predict_proba(X) == clf.predict_proba(X)).all())
    True
    """
    final = _final_estimator(estimator)
    final._check_fitted()
    dropped = [
        name for name, kept in [
            ("callbacks", final.callbacks is None),
            ("random_state (a RandomState instance)",
             not isinstance(final.random_state, np.random.RandomState)),
        ] if not kept
    ]
    if dropped:
        warnings.warn(
            f"{type(final).__name__}.save: {' and '.join(dropped)} not saved, as the "
            "file holds no Python objects; set them again with set_params if needed.",
            UserWarning, stacklevel=find_stack_level(),
        )
    content = {
        "format": "inceptionsk",
        "format_version": FORMAT_VERSION,
        "inceptionsk_version": __version__,
        "torch_version": str(torch.__version__),
        "estimator": _encode_estimator(estimator),
    }
    archive = io.BytesIO()
    torch.save(content, archive)
    archive = archive.getvalue()
    header = (
        f"inceptionsk model\nformat_version {FORMAT_VERSION}\n"
        f"sha256 {hashlib.sha256(archive).hexdigest()}\nsize {len(archive)}\n"
    ).encode("ascii")
    if isinstance(path, (str, os.PathLike)):
        _write_atomically(path, header + archive)
    else:
        path.write(header + archive)


def _write_atomically(path, data):
    """Write ``data`` to ``path`` through a temporary file in the same folder, synced to
    the disk and renamed onto ``path``: the file at ``path`` is either the old one or the
    new one, never a part of it. Raises an OSError saying what failed (the old file is
    kept, the temporary one removed)."""
    folder, base = os.path.split(os.path.abspath(path))
    temporary = os.path.join(folder, f".{base}.{secrets.token_hex(6)}.tmp")
    # os.open rather than mkstemp: the model gets the permissions of any new file (0666
    # less the umask), where mkstemp's would stay private (0600)
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        try:
            view = memoryview(data)
            while view:  # os.write may write less than asked
                view = view[os.write(handle, view):]
            os.fsync(handle)  # on the disk before the rename makes it the model
        finally:
            os.close(handle)
        os.replace(temporary, path)
    except BaseException as exc:
        os.unlink(temporary)
        if isinstance(exc, OSError):
            reason = os.strerror(exc.errno) if exc.errno else str(exc)
            raise OSError(
                exc.errno,
                f"inceptionsk.save could not write {path}: {reason}. Nothing was written "
                "there: a file that was at that path is unchanged. Free disk space (or "
                "raise the file size limit) and save again, or save to another path",
            ) from exc
        raise
    try:  # the rename itself on the disk too; not every system can sync a folder
        folder_handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(folder_handle)
    except OSError:
        pass
    finally:
        os.close(folder_handle)


def _final_estimator(estimator):
    """The estimator of this package that ``estimator`` is or ends with; TypeError if none.

    A ``Pipeline`` can be saved when its last step is an estimator of this package and
    the steps before it are this package's transformers (or ``"passthrough"``).
    """
    if isinstance(estimator, Pipeline):
        *transformers, (_, final) = estimator.steps
        if _is_estimator(final) and all(_is_transformer(step) for _, step in transformers):
            return final
    elif _is_estimator(estimator):
        return estimator
    raise TypeError(
        f"save takes an estimator of inceptionsk, or a Pipeline of inceptionsk's "
        f"transformers ending with one, got {_describe(estimator)}; use joblib.dump for "
        "other objects."
    )


def _describe(estimator):
    if isinstance(estimator, Pipeline):
        names = ", ".join(type(step).__name__ for _, step in estimator.steps)
        return f"a Pipeline of {names}"
    return type(estimator).__name__


def load(path, *, device="cpu"):
    """Load an estimator written by :func:`save`.

    Parameters
    ----------
    path : str, path-like or binary file object
        The file.
    device : str or torch.device, default="cpu"
        Where the networks go: ``"cpu"`` loads anywhere, whatever device the model was
        trained on; ``"auto"`` takes CUDA when available; ``"cuda"`` or ``"cuda:N"``.
        The estimators' ``device`` parameter is restored as saved: it decides where a
        later ``fit`` trains.

    Returns
    -------
    estimator : estimator instance
        The fitted estimator, predicting as the saved one did.

    Raises
    ------
    DamagedFileError
        When the file is damaged or truncated: its content does not match the SHA-256
        digest and size its header records (a ``ValueError``).
    ValueError
        When the file is not a model saved by :func:`save`, or was written in a format
        version this version of inceptionsk cannot read.

    Warns
    -----
    UnverifiedFileWarning
        When the file has format version 1 (inceptionsk 0.1), which has no checksum.

    See Also
    --------
    save : Write the file.

    Examples
    --------
    >>> import io
    >>> import numpy as np
    >>> from inceptionsk import InceptionNetworkRegressor, load
    >>> X = np.random.RandomState(0).normal(size=(10, 1, 20))
    >>> reg = InceptionNetworkRegressor(n_filters=2, depth=1, max_epochs=1)
    >>> file = io.BytesIO()
    >>> reg.fit(X, X.mean(axis=(1, 2))).save(file)
    >>> _ = file.seek(0)
    >>> bool((load(file, device="cpu").predict(X) == reg.predict(X)).all())
    True
    """
    device = resolve_device(device)
    name = path if isinstance(path, (str, os.PathLike)) else "the file"
    if isinstance(path, (str, os.PathLike)):
        with open(path, "rb") as file:  # FileNotFoundError etc. say it all themselves
            data = file.read()
    else:
        data = path.read()
    header = _HEADER.match(data)
    if header is not None:
        version = int(header[1])
        if version > FORMAT_VERSION:
            raise ValueError(_newer(name, None, version))
        archive = _verified_archive(name, data, header)
    elif _looks_like_magic(data):
        raise DamagedFileError(
            f"{name} is damaged: it starts like a file written by inceptionsk.save, but "
            "its header (the format version, the SHA-256 digest and the size of the "
            "content) cannot be read, so its content cannot be verified. Save the model "
            "again, or copy the file again from where it was saved."
        )
    else:  # format version 1 (a bare archive, no checksum), or not a model at all
        version, archive = 1, data
    try:
        with warnings.catch_warnings():
            # torch's note on reading a plain pickle (joblib's): refused below anyway
            warnings.filterwarnings("ignore", "Detected pickle protocol")
            # map_location: a file written elsewhere may hold CUDA tensors
            content = torch.load(io.BytesIO(archive), map_location="cpu", weights_only=True)
    except Exception as exc:
        raise _unreadable(archive, name, exc) from exc
    if not isinstance(content, dict) or content.get("format") != "inceptionsk":
        raise ValueError(
            f"{name} is not a model saved by inceptionsk.save: it holds a "
            f"{type(content).__name__} without the inceptionsk header."
        )
    saved_version = content.get("format_version")
    if saved_version != version:
        if header is None and isinstance(saved_version, int) and saved_version > version:
            raise ValueError(_newer(name, content.get("inceptionsk_version"), saved_version))
        raise DamagedFileError(
            f"{name} is damaged: its content says format version {saved_version}, its "
            f"header {version}."
        )
    if header is None:
        warnings.warn(
            f"{name} was written by inceptionsk {content.get('inceptionsk_version')} in "
            "file format version 1, which has no checksum: its content cannot be verified. "
            "Save it again with this version to add one.",
            UnverifiedFileWarning, stacklevel=find_stack_level(),
        )
    try:
        return _decode_estimator(content["estimator"], device, version)
    except (KeyError, TypeError, ValueError, AttributeError, RuntimeError) as exc:
        unverified = "" if header else " (a file of format version 1, without a checksum)"
        raise DamagedFileError(
            f"{name} has the inceptionsk header but its content is damaged{unverified} "
            f"({exc!r})."
        ) from exc


def _newer(name, written_by, version):
    """The message for a file of a format version newer than this package reads;
    ``written_by``: the inceptionsk version that wrote it, None where unknown."""
    by = "a newer inceptionsk" if written_by is None else f"inceptionsk {written_by}"
    return (
        f"{name} was written by {by} in file format version {version}; this inceptionsk "
        f"{__version__} reads format versions 1 to {FORMAT_VERSION}. Load it with a "
        "matching version of inceptionsk."
    )


def _verified_archive(name, data, header):
    """The archive after ``header``, once its size and SHA-256 digest match the header's;
    a DamagedFileError otherwise."""
    archive = data[header.end():]
    expected_size = int(header[3])
    if len(archive) != expected_size:
        how = "truncated" if len(archive) < expected_size else "longer than saved"
        raise DamagedFileError(
            f"{name} is damaged: {how}, its content has {len(archive)} bytes where the "
            f"file's header records {expected_size}. Save the model again, or copy the file "
            "again from where it was saved."
        )
    expected, found = header[2].decode("ascii"), hashlib.sha256(archive).hexdigest()
    if found != expected:
        raise DamagedFileError(
            f"{name} is damaged: the SHA-256 digest of its content is {found}, but the "
            f"file's header records {expected}, so some of its bytes changed after it was "
            "saved. Nothing was loaded from it. Save the model again, or copy the file "
            "again from where it was saved."
        )
    return archive


def _looks_like_magic(data):
    """Whether ``data`` starts with the first line of a model file but for a byte or two
    (a damaged header rather than another kind of file)."""
    start = data[: len(_MAGIC)]
    if len(start) < len(_MAGIC):
        return False
    return sum(a != b for a, b in zip(start, _MAGIC, strict=True)) <= 2


def _unreadable(archive, name, exc):
    """The error for an archive that torch.load cannot read: damaged, or not a model."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    # torch's refusal of a pickled object explains itself on its "WeightsUnpickler" line
    refusals = [line for line in lines if line.startswith("WeightsUnpickler error")]
    reason = (refusals or lines or [type(exc).__name__])[0]
    if archive.startswith(_ZIP_MAGIC) and not refusals:
        return DamagedFileError(
            f"{name} is damaged or truncated: it starts like a file written by "
            f"inceptionsk.save but cannot be read ({reason}). Save the model again."
        )
    return ValueError(
        f"{name} is not a model saved by inceptionsk.save: torch.load(weights_only=True) "
        f"cannot read it ({reason})."
    )


def _encode_estimator(estimator):
    params = estimator.get_params(deep=False)
    # objects, not values: save() warns that they are dropped
    if params.get("callbacks") is not None:
        params["callbacks"] = None
    if isinstance(params.get("random_state"), np.random.RandomState):
        params["random_state"] = None
    if "device" in params:
        params["device"] = str(params["device"])
    attributes = {
        key: value for key, value in vars(estimator).items() if key not in params
    }
    return {
        "class": type(estimator).__name__,
        "params": _encode(params),
        "attributes": _encode(attributes),
    }


def _encode(value):
    """Turn a value into tensors and plain values that ``weights_only`` loading reads."""
    if isinstance(value, np.generic):  # before float: np.float64 is a float
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufUO":
            raise TypeError(f"cannot save an array of dtype {value.dtype}")
        items = value.tolist()
        if value.dtype.kind == "O":
            items = _encode(items)
        return {"__ndarray__": items, "dtype": value.dtype.str}
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    if isinstance(value, (list, tuple)):
        return [_encode(item) for item in value]
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return {key: _encode(item) for key, item in value.items()}
    if isinstance(value, BaseEstimator) and type(value).__name__ in _CLASSES:
        return {"__estimator__": _encode_estimator(value)}
    if isinstance(value, NeuralNet):
        return {"__net__": _encode_net(value)}
    raise TypeError(
        f"cannot save a value of type {type(value).__name__} in an inceptionsk file; use "
        "joblib.dump for this estimator."
    )


def _encode_net(net):
    interrupted = len(net.history) < net.max_epochs
    return {
        "n_channels": int(net.module__c_in),
        "n_outputs": int(net.module__c_out),
        "drop_last": bool(net.iterator_train__drop_last),
        "state_dict": {key: t.detach().cpu() for key, t in net.module_.state_dict().items()},
        # skorch records numpy floats, which JSON writes as numbers
        "history": json.dumps(net.history.to_list(), default=_plain),
        "optimizer": _to_cpu(net.optimizer_.state_dict()) if interrupted else None,
    }


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot save a history value of type {type(value).__name__}")


def _to_cpu(value):
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    if isinstance(value, dict):
        return {key: _to_cpu(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to_cpu(item) for item in value)
    return value


def _decode_estimator(record, device, version):
    cls = _CLASSES.get(record["class"])
    if cls is None:
        raise ValueError(f"unknown estimator class {record['class']!r}")
    params = _decode(record["params"], device, version)
    if cls is Pipeline:  # steps were saved as lists; sklearn documents them as tuples
        params["steps"] = [tuple(step) for step in params["steps"]]
    estimator = cls(**params)
    # what a class computed otherwise in files of an earlier format version
    attributes = {**getattr(cls, "_earlier_format_attributes", {}).get(version, {}),
                  **record["attributes"]}
    net = attributes.pop("net_", None)
    for key, value in attributes.items():
        setattr(estimator, key, _decode(value, device, version))
    if net is not None:
        estimator.net_ = _decode_net(estimator, net["__net__"], device)
    return estimator


def _decode(value, device, version):
    if isinstance(value, list):
        return [_decode(item, device, version) for item in value]
    if not isinstance(value, dict):
        return value
    if "__ndarray__" in value:
        return np.array(value["__ndarray__"], dtype=np.dtype(value["dtype"]))
    if "__estimator__" in value:
        return _decode_estimator(value["__estimator__"], device, version)
    return {key: _decode(item, device, version) for key, item in value.items()}


def _decode_net(estimator, record, device):
    net = estimator._build_net(
        n_channels=record["n_channels"], n_outputs=record["n_outputs"],
        drop_last=record["drop_last"], device=device,
    )
    net.initialize()
    net.module_.load_state_dict(record["state_dict"])
    net.history = History(json.loads(record["history"]))
    if record["optimizer"] is not None:
        net.optimizer_.load_state_dict(record["optimizer"])
    return net
