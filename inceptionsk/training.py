"""Training one InceptionTime network with skorch, configured with the paper's recipe.

The recipe of the official code (hfawaz/InceptionTime), expressed as skorch arguments and
callbacks:

- Adam with ``lr``, cross-entropy on logits (classification) or mean squared error
  (regression), mini-batches shuffled every epoch, no validation split;
- the learning rate halved when the *training* loss has not improved for 50 epochs,
  down to 1e-4 (``ReduceLROnPlateau`` through skorch's ``LRScheduler``);
- the weights of the epoch with the lowest *training* loss kept, in memory (skorch's
  ``EarlyStopping(load_best=True)`` with a patience that never stops training).
"""

import contextlib
import time

import numpy as np
import torch
from sklearn.utils._param_validation import InvalidParameterError
from skorch import NeuralNetClassifier, NeuralNetRegressor
from skorch.callbacks import Callback, EarlyStopping, LRScheduler
from torch import nn
from torch.optim.lr_scheduler import OneCycleLR, ReduceLROnPlateau
from tqdm.auto import tqdm

from .network import InceptionTime

__all__ = ["build_net", "resolve_device", "seeded", "EpochProgressBar"]

#: The paper's learning-rate schedule: halve after 50 epochs without a lower training loss.
PLATEAU_FACTOR, PLATEAU_PATIENCE, MIN_LR = 0.5, 50, 1e-4
#: The fast recipe's one-cycle schedule peaks at this multiple of ``lr``.
ONE_CYCLE_PEAK = 10.0


def resolve_device(device):
    """Turn the ``device`` parameter into a torch device string.

    ``"auto"`` picks CUDA when it is available and the CPU otherwise; a CUDA device that
    is asked for but absent raises a ``ValueError`` instead of failing deep in torch.
    """
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    device = str(device)
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was asked for, but this torch build sees no CUDA device. "
            "Use device='cpu', or device='auto' to take CUDA only when it is there."
        )
    try:
        torch.device(device)
    except RuntimeError as exc:
        # sklearn's error for a parameter value out of its range (a ValueError)
        raise InvalidParameterError(
            f"The 'device' parameter must be a torch device, got {device!r}; use 'auto', "
            "'cpu', 'cuda' or 'cuda:N'."
        ) from exc
    try:
        # a device torch knows by name may still be absent ('mps' on Linux, 'cuda:7')
        # or hold no data ('meta'): find out here rather than deep inside training
        torch.zeros(1, device=device).cpu()
    except (RuntimeError, NotImplementedError) as exc:
        raise ValueError(
            f"device={device!r} cannot be used on this machine "
            f"({str(exc).splitlines()[0].split('. ')[0]}). Use device='cpu', "
            "or device='auto' to take CUDA only when it is there."
        ) from exc
    return device


@contextlib.contextmanager
def seeded(seed):
    """Seed torch's RNGs for weights and shuffling, restoring the caller's RNG state after.

    Parameters
    ----------
    seed : int
        The seed of this network.
    """
    # torch.manual_seed also seeds every CUDA device, so fork them all when present.
    cuda_devices = list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []
    with torch.random.fork_rng(devices=cuda_devices):
        torch.manual_seed(seed)
        yield


class EpochProgressBar(Callback):
    """A tqdm bar over epochs showing the training loss and learning rate.

    skorch's ``ProgressBar`` counts the batches of one epoch; with 1500 short epochs the
    useful bar counts epochs.

    Parameters
    ----------
    desc : str, default=None
        Text before the bar.
    """

    def __init__(self, desc=None):
        self.desc = desc

    def on_train_begin(self, net, **kwargs):
        self.bar_ = tqdm(total=net.max_epochs, desc=self.desc, unit="epoch", leave=False)

    def on_epoch_end(self, net, **kwargs):
        last = net.history[-1]
        self.bar_.set_postfix(
            train_loss=f"{last['train_loss']:.4g}",
            lr=f"{net.optimizer_.param_groups[0]['lr']:.2g}",
            refresh=False,
        )
        self.bar_.update()

    def on_train_end(self, net, **kwargs):
        self.bar_.close()

    def __getstate__(self):
        # a tqdm bar holds a lock and a file handle; a pickled net needs neither
        state = self.__dict__.copy()
        state.pop("bar_", None)
        return state


def lr_scheduler(lr_schedule, lr, max_epochs, batches_per_epoch, steps_done=0):
    """The learning-rate schedule as a skorch callback.

    ``"plateau"`` is the paper's: halve the rate after 50 epochs without a lower
    training loss, down to 1e-4. ``"one_cycle"`` is the fast recipe: one cycle per
    training, warming up to ``10 * lr`` over the first 25% of the batches and annealing
    (cosine) to nearly zero by the last, stepped every batch. ``steps_done`` batches
    trained before (a resumed training) put the cycle where it was.
    """
    if lr_schedule == "one_cycle":
        # skorch would restart a resumed cycle at step len(history) - 1, counting epochs
        position = {"last_epoch": steps_done - 1} if steps_done else {}
        return LRScheduler(
            policy=OneCycleLR, max_lr=ONE_CYCLE_PEAK * lr,
            total_steps=max_epochs * batches_per_epoch, step_every="batch", **position,
        )
    return LRScheduler(
        policy=ReduceLROnPlateau, monitor="train_loss", mode="min",
        factor=PLATEAU_FACTOR, patience=PLATEAU_PATIENCE, min_lr=MIN_LR,
    )


def recipe_callbacks(scheduler, max_epochs, verbose, desc=None):
    """The schedule and keep-best callbacks, plus a progress bar when verbose."""
    callbacks = [
        ("lr_scheduler", scheduler),
        # A patience beyond max_epochs never stops training: EarlyStopping only keeps a
        # copy of the weights of the lowest training loss and restores them at the end.
        ("keep_best", EarlyStopping(
            monitor="train_loss", patience=max_epochs + 1, threshold=0.0,
            threshold_mode="abs", load_best=True, sink=_silent,
        )),
    ]
    if verbose:
        callbacks.append(("progress", EpochProgressBar(desc=desc)))
    return callbacks


def _silent(*args, **kwargs):
    """A sink that prints nothing (module level so that nets pickle)."""


def build_net(
    *, regression, n_channels, n_outputs, n_filters, kernel_size, depth, use_residual,
    use_bottleneck, max_epochs, batch_size, lr, lr_schedule, n_cases, device, callbacks,
    verbose, desc=None, drop_last=False, steps_done=0,
):
    """Build the skorch net that trains one InceptionTime network with the paper's recipe.

    Returns
    -------
    net : skorch.NeuralNetClassifier or skorch.NeuralNetRegressor
        Not yet initialised; ``net.fit(X, y)`` builds and trains the module.
    """
    batches = n_cases // batch_size if drop_last else -(-n_cases // batch_size)
    scheduler = lr_scheduler(lr_schedule, lr, max_epochs, max(batches, 1), steps_done)
    net_class, criterion = (
        (NeuralNetRegressor, nn.MSELoss) if regression
        else (NeuralNetClassifier, nn.CrossEntropyLoss)
    )
    return net_class(
        InceptionTime,
        module__c_in=n_channels,
        module__c_out=n_outputs,
        module__nf=n_filters,
        module__ks=kernel_size,
        module__depth=depth,
        module__residual=use_residual,
        module__bottleneck=use_bottleneck,
        criterion=criterion,
        optimizer=torch.optim.Adam,
        lr=lr,
        max_epochs=max_epochs,
        batch_size=batch_size,
        train_split=None,
        iterator_train__shuffle=True,
        # BatchNorm cannot train on a batch of one value per channel: with series of
        # one time point, drop a last batch of a single case (shuffling varies which).
        iterator_train__drop_last=drop_last,
        callbacks=recipe_callbacks(scheduler, max_epochs, verbose, desc) + list(callbacks or []),
        device=device,
        # skorch's per-epoch table only at verbose >= 2; verbose=1 is the epoch bar.
        verbose=int(verbose >= 2),
    )


def summarize_history(history, elapsed):
    """One line on a finished training: epochs, time, the lowest training loss and its epoch."""
    losses = np.asarray(history[:, "train_loss"], dtype=float)
    best = int(np.argmin(losses))
    return (
        f"{len(losses)} epochs in {elapsed:.1f} s, lowest train loss {losses[best]:.4g} "
        f"at epoch {best + 1}"
    )


class Timer:
    """Wall-clock seconds of a ``with`` block, in ``elapsed``."""

    def __enter__(self):
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.elapsed = time.perf_counter() - self._start
