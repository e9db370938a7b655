"""Training checkpoints: a training killed mid-way continues where it stopped, exactly.

:class:`TrainingCheckpoint` is a skorch callback. Given to an estimator's ``callbacks``,
it writes the whole state of each network's training to a file every ``interval``
seconds: the weights, Adam's state, the learning-rate schedule, the weights kept so far
and their epoch, the history, early stopping's count and the random number generators'
state. A later ``fit`` of the same training (the same data, parameters, seed and
starting weights) loads that file and trains only the epochs left, to the weights a
training never interrupted would have reached.

Why not skorch's ``Checkpoint`` and ``LoadInitState``: they restore the weights, the
optimizer and the history, but a training resumed from them starts its schedule, its
keep-best choice and its shuffling afresh and trains ``max_epochs`` more epochs, which
changes the result; the package's ``resume`` continues from the weights kept at an
interrupt, for the same reason. This callback restores everything the recipe's training
depends on.
"""

import json
import os
import time
from pathlib import Path

import joblib
import numpy as np
import torch
from skorch.callbacks import Callback, EarlyStopping, LRScheduler
from skorch.history import History

from .training import EpochProgressBar, KeepBestWeights

__all__ = ["TrainingCheckpoint"]

#: The checkpoint files' format, part of every file name: a newer format never reads an
#: older file as its own.
FORMAT = 1


class TrainingCheckpoint(Callback):
    """Save each network's training state as it trains; continue it after a crash.

    Give it to an estimator's ``callbacks``. Every ``interval`` seconds (at the end of
    an epoch) it writes the state of the training to ``directory``: weights, Adam's
    state, the learning-rate schedule, the best weights so far and their epoch, the
    history, early stopping's count and the random state. When the training ends it
    writes the trained network. If the process dies (killed, out of memory, the machine
    restarted), the same ``fit`` again finds the file and trains only the epochs left:
    the network ends as it would have without the interruption, bitwise on the same
    machine and thread count. An ensemble's finished members load in a moment.

    Each training has its own file, named by a hash of what decides its result: the
    data (and sample weights), the network's and the recipe's parameters, the seed and
    the starting weights. A ``fit`` that differs in any of them starts afresh beside
    the old file, never from it. Nothing is deleted: remove ``directory`` once the
    estimator is saved (:func:`inceptionsk.save`).

    Parameters
    ----------
    directory : str or path-like
        Where the files go; created when missing.
    interval : float, default=60.0
        Seconds between two saves (0: after every epoch). A save of a full-size
        network takes tens of milliseconds; a crash loses at most this much training.

    See Also
    --------
    inceptionsk.InceptionTimeClassifier.resume : Continue a training stopped with
        Ctrl-C, in the same process.

    Notes
    -----
    The state of other callbacks of ``callbacks`` is not saved. The time a training
    took is the sum of ``history_[:, "dur"]`` over all its processes.

    Examples
    --------
    >>> import tempfile
    >>> from inceptionsk import InceptionNetworkClassifier
    >>> from inceptionsk.checkpoint import TrainingCheckpoint
    >>> from inceptionsk.datasets import load_gunpoint
    >>> X, y = load_gunpoint(split="train", return_X_y=True)
    >>> folder = tempfile.mkdtemp()
    >>> clf = InceptionNetworkClassifier(
    ...     max_epochs=3, n_filters=4, depth=1, random_state=0,
    ...     callbacks=[TrainingCheckpoint(folder, interval=0)]).fit(X, y)
    >>> again = InceptionNetworkClassifier(
    ...     max_epochs=3, n_filters=4, depth=1, random_state=0,
    ...     callbacks=[TrainingCheckpoint(folder, interval=0)]).fit(X, y)  # loads
    >>> bool((clf.predict_proba(X) == again.predict_proba(X)).all())
    True
    """

    def __init__(self, directory, interval=60.0):
        self.directory = directory
        self.interval = interval

    def initialize(self):
        if not isinstance(self.interval, (int, float)) or not self.interval >= 0:
            raise ValueError(
                f"TrainingCheckpoint's interval is the seconds between two saves, a number "
                f">= 0; got {self.interval!r}."
            )
        self.path_, self.restored_epochs_ = None, 0
        self._complete, self._last_save = None, None
        return self

    # -- the file of this training ---------------------------------------------

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        # the other callbacks have set up their fresh state by now (this one comes after
        # the recipe's): what a saved training overwrites
        self.initialize()
        key = joblib.hash(_training_identity(net, X, y))
        self.path_ = Path(self.directory) / f"training-v{FORMAT}-{key}.pt"
        self._last_save = time.monotonic()
        if self.path_.exists():
            self._restore(net, _load(self.path_))

    def on_epoch_begin(self, net, **kwargs):
        # skorch runs max_epochs epochs per fit, not counting those restored
        if self._complete is not None or (
                self.restored_epochs_ and len(net.history) > net.max_epochs):
            # nothing left to train (the file holds the trained network, or all its
            # epochs): skorch ends training on the interrupt of Ctrl-C, here without
            # the epoch it has just begun
            del net.history[-1]
            raise KeyboardInterrupt

    def on_epoch_end(self, net, **kwargs):
        if time.monotonic() - self._last_save >= self.interval:
            self._save(net, complete=False)

    def on_train_end(self, net, **kwargs):
        if self._complete is not None:
            net.stopped_early_ = self._complete["stopped_early"]
            self._complete = None  # the net holds the weights now: no second copy
            return
        done = len(net.history) >= net.max_epochs or getattr(net, "stopped_early_", False)
        if done and net.history and "train_loss" in net.history[-1]:
            # the recipe's callbacks have restored the weights kept: the trained network
            self._save(net, complete=True)

    # -- saving and restoring ------------------------------------------------------

    def _save(self, net, *, complete):
        callbacks = dict(net.callbacks_)
        state = {
            "complete": complete,
            "history": json.dumps(net.history.to_list(), default=_json_number),
            "module": net.module_.state_dict(),
            "stopped_early": bool(getattr(net, "stopped_early_", False)),
            "best_epochs": {name: callbacks[name].best_epoch_ for name in callbacks
                            if isinstance(callbacks[name], KeepBestWeights)},
        }
        if not complete:
            state.update(
                optimizer=net.optimizer_.state_dict(),
                rng=torch.get_rng_state(),
                cuda_rng=torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
                callbacks={name: saved for name, saved in (
                    (name, _callback_state(callback)) for name, callback in callbacks.items()
                ) if saved},
            )
        self.path_.parent.mkdir(parents=True, exist_ok=True)
        # a file is whole or absent: a process killed while saving leaves the last one
        partial = self.path_.with_name(f"{self.path_.name}.{os.getpid()}.partial")
        torch.save(state, partial)
        os.replace(partial, self.path_)
        self._last_save = time.monotonic()

    def _restore(self, net, state):
        net.history_ = History(json.loads(state["history"]))
        net.module_.load_state_dict(state["module"])
        callbacks = dict(net.callbacks_)
        for name, epoch in state["best_epochs"].items():
            callbacks[name].best_epoch_ = epoch
        if state["complete"]:
            self._complete = state
            return
        net.optimizer_.load_state_dict(state["optimizer"])
        for name, saved in state["callbacks"].items():
            if name in callbacks:  # the user's own callbacks may differ from run to run
                _restore_callback(callbacks[name], saved)
        torch.set_rng_state(state["rng"])
        if state["cuda_rng"] and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state["cuda_rng"])
        net.stopped_early_ = state["stopped_early"]
        self.restored_epochs_ = len(net.history)
        for callback in callbacks.values():
            if isinstance(callback, EpochProgressBar) and hasattr(callback, "bar_"):
                callback.bar_.update(self.restored_epochs_)


def _load(path):
    """The state saved at ``path``; a damaged file is named with what to do."""
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise ValueError(
            f"The training checkpoint {path} cannot be read ({type(exc).__name__}: "
            f"{exc}); it is damaged. Delete it to train this network from the start."
        ) from exc


def _json_number(value):
    """JSON of the numpy scalars skorch records in the history."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} in the history cannot be saved")


def _callback_state(callback):
    """What a callback learns while training, for the callbacks the recipe uses."""
    state = {}
    if hasattr(callback, "best_score_"):  # skorch's scoring: the best value so far
        state["best_score"] = float(callback.best_score_)
    if isinstance(callback, LRScheduler) and hasattr(callback, "lr_scheduler_"):
        state["scheduler"] = callback.lr_scheduler_.state_dict()
        state["batch_idx"] = getattr(callback, "batch_idx_", 0)
    if isinstance(callback, KeepBestWeights):
        state["best_weights"] = callback._best_weights
    if isinstance(callback, EarlyStopping):
        state["early_stopping"] = [callback.misses_, float(callback.dynamic_threshold_),
                                   callback.best_epoch_]
    return state


def _restore_callback(callback, state):
    if "best_score" in state:
        callback.best_score_ = state["best_score"]
    if "scheduler" in state:
        callback.lr_scheduler_.load_state_dict(state["scheduler"])
        callback.batch_idx_ = state["batch_idx"]
    if "best_weights" in state:
        callback._best_weights = state["best_weights"]
    if "early_stopping" in state:
        callback.misses_, callback.dynamic_threshold_, callback.best_epoch_ = (
            state["early_stopping"])


def _training_identity(net, X, y):
    """What decides a training's result, hashed into its file's name: the data, the
    parameters of the net that are plain values, the classes of its parts, the recipe's
    callbacks' settings, the seed and the starting weights (a fresh draw from the seed,
    or those of a warm start or a fine-tuning, with which parameters train)."""
    params = {name: value for name, value in net.get_params(deep=False).items()
              if isinstance(value, (str, int, float, bool, type(None)))
              # how it is shown, and where it runs, leave the result as it is
              and name not in ("device", "verbose") and not name.startswith("callbacks")}
    parts = {name: _class_name(getattr(net, name))
             for name in ("module", "criterion", "optimizer", "train_split")}
    recipe = {name: [_class_name(callback), sorted(
                  (key, repr(value)) for key, value in vars(callback).items()
                  if not key.endswith("_") and not key.startswith("_"))]
              for name, callback in net.callbacks_
              if isinstance(callback, (LRScheduler, KeepBestWeights, EarlyStopping))}
    weights = {name: tensor.detach().cpu().numpy()
               for name, tensor in net.module_.state_dict().items()}
    trainable = [name for name, parameter in net.module_.named_parameters()
                 if parameter.requires_grad]
    return {
        "data": (X, y), "params": params, "parts": parts, "recipe": recipe,
        "train_split": repr(vars(net.train_split)) if net.train_split else None,
        "autocast": str(getattr(net, "autocast_dtype", None)),
        "weight_init": getattr(net, "weight_init", None),
        "seed": torch.initial_seed(), "weights": weights, "trainable": trainable,
    }


def _class_name(value):
    value = value if isinstance(value, type) else type(value)
    return f"{value.__module__}.{value.__qualname__}"
