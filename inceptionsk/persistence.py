"""Saving a fitted estimator to one file and loading it back, without pickle.

:func:`save` writes any fitted estimator of this package (an ensemble or a single
network, alone or at the end of a ``Pipeline`` of this package's transformers) to one
file; :func:`load` reads it back, on the CPU unless asked otherwise, so
that a model trained on a GPU loads on a machine without one. ``pickle`` and ``joblib``
work too, but unpickling runs whatever code the file names; these files hold only
tensors and plain values, which :func:`torch.load` reads with ``weights_only=True``, so
loading a file from someone else cannot run code.

File format, version 1
----------------------
A :func:`torch.save` archive (a zip file) of one dict::

    {"format": "inceptionsk", "format_version": 1,
     "inceptionsk_version": "0.1.0", "torch_version": "2.13.0",
     "estimator": <estimator record>}

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
is not a model saved by :func:`save` are refused with a ``ValueError``.
"""

import json
import os
import tempfile
import warnings

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from skorch import NeuralNet
from skorch.history import History

from ._version import __version__
from .exceptions import find_stack_level
from .training import resolve_device

__all__ = ["FORMAT_VERSION", "SaveMixin", "load", "register", "save"]

#: The version of the file format that :func:`save` writes and :func:`load` reads.
FORMAT_VERSION = 1

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
        Where to write. A path is written through a temporary file in the same folder
        and renamed, so an existing file is never left half-written.

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
    if not isinstance(path, (str, os.PathLike)):
        torch.save(content, path)
        return
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            torch.save(content, file)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


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
    ValueError
        When the file is not a model saved by :func:`save`, is damaged or truncated, or
        was written in a format version this version of inceptionsk cannot read.

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
    try:
        with warnings.catch_warnings():
            # torch's note on reading a plain pickle (joblib's): refused below anyway
            warnings.filterwarnings("ignore", "Detected pickle protocol")
            # map_location: a file written elsewhere may hold CUDA tensors
            content = torch.load(path, map_location="cpu", weights_only=True)
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        raise  # the file cannot be opened: nothing to say about its content
    except Exception as exc:
        raise ValueError(_unreadable(path, name, exc)) from exc
    if not isinstance(content, dict) or content.get("format") != "inceptionsk":
        raise ValueError(
            f"{name} is not a model saved by inceptionsk.save: it holds a "
            f"{type(content).__name__} without the inceptionsk header."
        )
    version = content.get("format_version")
    if version != FORMAT_VERSION:
        raise ValueError(
            f"{name} was written by inceptionsk {content.get('inceptionsk_version')} in file "
            f"format version {version}; this inceptionsk {__version__} reads format "
            f"version {FORMAT_VERSION}. Load it with a matching version of inceptionsk."
        )
    try:
        return _decode_estimator(content["estimator"], device)
    except (KeyError, TypeError, ValueError, AttributeError, RuntimeError) as exc:
        raise ValueError(
            f"{name} has the inceptionsk header but its content is damaged ({exc!r})."
        ) from exc


def _unreadable(path, name, exc):
    """The message for a file that torch.load cannot read: truncated, or not a model."""
    if isinstance(path, (str, os.PathLike)):
        with open(path, "rb") as file:
            start = file.read(len(_ZIP_MAGIC))
    else:
        path.seek(0)
        start = path.read(len(_ZIP_MAGIC))
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    # torch's refusal of a pickled object explains itself on its "WeightsUnpickler" line
    refusals = [line for line in lines if line.startswith("WeightsUnpickler error")]
    reason = (refusals or lines or [type(exc).__name__])[0]
    if start == _ZIP_MAGIC and not refusals:
        return (
            f"{name} is damaged or truncated: it starts like a file written by "
            f"inceptionsk.save but cannot be read ({reason}). Save the model again."
        )
    return (
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


def _decode_estimator(record, device):
    cls = _CLASSES.get(record["class"])
    if cls is None:
        raise ValueError(f"unknown estimator class {record['class']!r}")
    params = _decode(record["params"], device)
    if cls is Pipeline:  # steps were saved as lists; sklearn documents them as tuples
        params["steps"] = [tuple(step) for step in params["steps"]]
    estimator = cls(**params)
    attributes = dict(record["attributes"])
    net = attributes.pop("net_", None)
    for key, value in attributes.items():
        setattr(estimator, key, _decode(value, device))
    if net is not None:
        estimator.net_ = _decode_net(estimator, net["__net__"], device)
    return estimator


def _decode(value, device):
    if isinstance(value, list):
        return [_decode(item, device) for item in value]
    if not isinstance(value, dict):
        return value
    if "__ndarray__" in value:
        return np.array(value["__ndarray__"], dtype=np.dtype(value["dtype"]))
    if "__estimator__" in value:
        return _decode_estimator(value["__estimator__"], device)
    return {key: _decode(item, device) for key, item in value.items()}


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
