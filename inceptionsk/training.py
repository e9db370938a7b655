"""Training one network with skorch, configured with the paper's recipe.

The recipe of the official code (hfawaz/InceptionTime), expressed as skorch arguments and
callbacks:

- Adam with ``lr``, cross-entropy on logits (classification) or mean squared error
  (regression; the regressors' ``loss`` also offers the absolute error, Huber's loss
  and the pinball loss of a quantile, :func:`task_criterion`), mini-batches shuffled
  every epoch, no validation split;
- the learning rate halved when the *training* loss has not improved for 50 epochs,
  down to 1e-4 (``ReduceLROnPlateau`` through skorch's ``LRScheduler``);
- the weights of the epoch with the lowest *training* loss kept, in memory
  (:class:`KeepBestWeights`).

Beyond the paper: a one-cycle schedule for short budgets, per-case weights in the loss,
and a validation split whose loss then chooses the weights kept and, with
``n_iter_no_change``, stops training (skorch's ``ValidSplit`` and ``EarlyStopping``).
"""

import contextlib
import copy
import time
import warnings

import numpy as np
import torch
from sklearn.utils._param_validation import InvalidParameterError
from skorch import NeuralNetClassifier, NeuralNetRegressor
from skorch.callbacks import Callback, EarlyStopping, LRScheduler
from skorch.utils import to_tensor
from torch import nn
from torch.optim.lr_scheduler import OneCycleLR, ReduceLROnPlateau
from tqdm.auto import tqdm

from ._machine import cpu_model
from .exceptions import EmulatedPrecisionWarning, find_stack_level

__all__ = [
    "AUTOCAST_DTYPES", "LOSS_INPUTS", "DistillationLoss", "EpochProgressBar", "InitialWeights",
    "KeepBestWeights", "PinballLoss", "REGRESSION_LOSSES", "WeightedNetClassifier",
    "WeightedNetRegressor",
    "cpu_has_bfloat16_kernels", "glorot_uniform_", "recipe_callbacks", "resolve_device",
    "seeded", "task_criterion", "warn_if_bfloat16_is_emulated",
]

#: The paper's learning-rate schedule: halve after 50 epochs without a lower training loss.
PLATEAU_FACTOR, PLATEAU_PATIENCE, MIN_LR = 0.5, 50, 1e-4
#: The one-cycle schedule peaks at this multiple of ``lr``.
ONE_CYCLE_PEAK = 10.0
#: The ``precision`` parameter: the dtype of the training passes under autocast (None:
#: no autocast, float32 throughout).
AUTOCAST_DTYPES = {"float32": None, "bfloat16": torch.bfloat16}
#: What the keep-best callback and early stopping watch, in words.
MONITORED = {"train_loss": "training loss", "valid_loss": "validation loss"}


class PinballLoss(nn.Module):
    """The pinball (quantile) loss, whose minimiser is the ``quantile`` of the targets:
    ``quantile * (y - p)`` where the prediction ``p`` is below the target ``y``, and
    ``(1 - quantile) * (p - y)`` where it is above (Koenker and Bassett 1978).

    Parameters
    ----------
    quantile : float, default=0.5
        In (0, 1); 0.5 is half the absolute error, whose minimiser is the median.
    reduction : {"none", "mean"}, default="mean"
        ``"none"`` returns one loss per element, as torch's criteria do.

    Examples
    --------
    >>> import torch
    >>> from inceptionsk.training import PinballLoss
    >>> PinballLoss(quantile=0.9, reduction="none")(torch.tensor([0.0, 2.0]),
    ...                                             torch.tensor([1.0, 1.0]))
    tensor([0.9000, 0.1000])
    """

    def __init__(self, quantile=0.5, reduction="mean"):
        super().__init__()
        self.quantile, self.reduction = quantile, reduction

    def forward(self, y_pred, y_true):
        error = y_true - y_pred
        losses = torch.maximum(self.quantile * error, (self.quantile - 1) * error)
        return losses.mean() if self.reduction == "mean" else losses


#: The regressors' ``loss`` parameter, by scikit-learn's names (those of ``SGDRegressor``
#: and ``HistGradientBoostingRegressor``): the criteria of a loss per element.
REGRESSION_LOSSES = {
    "squared_error": nn.MSELoss, "absolute_error": nn.L1Loss, "huber": nn.HuberLoss,
    "quantile": PinballLoss,
}


def task_criterion(regression=False, loss="squared_error", epsilon=0.1, quantile=0.5):
    """A task's loss: the torch criterion class and its parameters (skorch's
    ``criterion`` and ``criterion__*``).

    Cross-entropy on logits for classification; for regression the loss named ``loss``
    in :data:`REGRESSION_LOSSES`, Huber's with ``delta=epsilon``, the pinball loss with
    ``quantile``. The network's targets are standardised (the regressors'
    ``target_scaler_``), so ``epsilon`` counts standard deviations of the training
    targets; a quantile of the standardised targets is the standardised quantile.

    Examples
    --------
    >>> from inceptionsk.training import task_criterion
    >>> task_criterion(regression=True, loss="huber", epsilon=0.5)
    (<class 'torch.nn.modules.loss.HuberLoss'>, {'delta': 0.5})
    >>> task_criterion()
    (<class 'torch.nn.modules.loss.CrossEntropyLoss'>, {})
    """
    if not regression:
        return nn.CrossEntropyLoss, {}
    params = {"huber": {"delta": epsilon}, "quantile": {"quantile": quantile}}
    return REGRESSION_LOSSES[loss], params.get(loss, {})


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


def cpu_has_bfloat16_kernels():
    """Whether oneDNN, torch's CPU backend for convolutions, has bfloat16 kernels on this
    CPU: AVX-512 (BW, VL and DQ) on x86, the BF16 instructions on Arm. True where torch
    cannot tell (no oneDNN query in this build), so that nothing warns on a guess."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return True


def warn_if_bfloat16_is_emulated(device, estimator_name):
    """Warn that bfloat16 training on ``device`` runs emulated, where it does: on a CPU
    without bfloat16 kernels (:func:`cpu_has_bfloat16_kernels`)."""
    if torch.device(device).type != "cpu" or cpu_has_bfloat16_kernels():
        return
    warnings.warn(
        f"{estimator_name}(precision='bfloat16') trains on a CPU without bfloat16 "
        f"kernels ({cpu_model()}: no AVX-512 or Arm BF16), where torch emulates them: "
        "expect each epoch to take over 10x as long as in float32 (11-12x measured on "
        "an AVX2-only AMD EPYC). The results are valid, only slow: use "
        "precision='float32' on this machine.",
        EmulatedPrecisionWarning, stacklevel=find_stack_level(),
    )


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


#: Entries of a training input dict that the loss reads and the module never sees: the
#: cases' weights, and a teacher's outputs for distillation.
LOSS_INPUTS = frozenset({"sample_weight", "teacher_outputs"})


class _WeightedLoss:
    """A skorch net whose training input may carry per-case weights for the loss.

    With weights, X is a dict with a ``"sample_weight"`` entry: skorch batches it with the
    rest of X, the loss of a batch is the weighted mean of its cases' losses (0 for a
    batch whose cases all weigh 0), and the module never sees it. The criterion computes
    per-case losses (``criterion__reduction="none"``); without weights their plain mean is
    the loss. skorch's epoch loss is the mean of the batch losses weighted by batch size.

    ``autocast_dtype`` (the estimator's ``precision``; None for float32) runs the
    module's passes of training and validation under ``torch.autocast`` in that dtype;
    the outputs come back in float32, so that the loss is computed in float32.

    A ``"teacher_outputs"`` entry of X (distillation) reaches the criterion beside the
    targets, as ``[y_true, teacher_outputs]`` (:class:`DistillationLoss`).

    The net also records whether skorch's ``EarlyStopping`` ended the training
    (``stopped_early_``): that callback stops training with a ``KeyboardInterrupt`` too,
    and only this tells its decision from the user's Ctrl-C.
    """

    autocast_dtype = None
    #: The estimator's ``weight_init``: how :meth:`initialize_module` draws the weights.
    weight_init = "torch"

    def infer(self, x, **fit_params):
        if isinstance(x, dict) and not LOSS_INPUTS.isdisjoint(x):
            x = {key: value for key, value in x.items() if key not in LOSS_INPUTS}
        if self.autocast_dtype is None:
            return super().infer(x, **fit_params)
        with torch.autocast(torch.device(self.device).type, dtype=self.autocast_dtype):
            outputs = super().infer(x, **fit_params)
        return outputs.float()

    def initialize_module(self):
        try:
            super().initialize_module()
        except (RuntimeError, MemoryError) as error:
            if not _is_allocation_failure(error):
                raise
            sizes = ", ".join(f"{name}={value!r}" for name, value in
                              self.get_params_for("module").items()
                              if name not in ("c_in", "c_out"))
            reason = str(error).strip().splitlines()[-1] if str(error).strip() else "no memory"
            raise ValueError(
                f"The network is too large for the memory of device {self.device!r}: "
                f"building {getattr(self.module, '__name__', self.module)}({sizes}) failed "
                f"({reason}). Choose smaller size parameters: the estimator's n_filters, "
                f"kernel_size or depth."
            ) from error
        if self.weight_init == "glorot":
            glorot_uniform_(self.module_)
        return self

    def get_loss(self, y_pred, y_true, X=None, training=False):
        if isinstance(X, dict) and "teacher_outputs" in X:
            # a distillation criterion receives the teacher's outputs beside the targets
            y_true = [y_true, X["teacher_outputs"]]
        losses = super().get_loss(y_pred, y_true, X=X, training=training)
        losses = losses.reshape(len(losses), -1).mean(dim=1)  # one loss per case
        if not (isinstance(X, dict) and "sample_weight" in X):
            return losses.mean()
        weights = to_tensor(X["sample_weight"], device=losses.device)
        # a batch whose cases all weigh zero counts for nothing (a loss of 0, not 0 / 0)
        return (weights * losses).sum() / weights.sum().clamp_min(torch.finfo(losses.dtype).tiny)

    def notify(self, method_name, **cb_kwargs):
        # skorch's notify, telling an EarlyStopping's stop from any other interrupt
        getattr(self, method_name)(self, **cb_kwargs)
        for _, callback in self.callbacks_:
            try:
                getattr(callback, method_name)(self, **cb_kwargs)
            except KeyboardInterrupt:
                self.stopped_early_ = isinstance(callback, EarlyStopping)
                raise

    def on_train_begin(self, net, **kwargs):
        self.stopped_early_ = False
        return super().on_train_begin(net, **kwargs)


#: What torch's messages say when a tensor could not be allocated (on the CPU, on CUDA, or
#: whose size overflows), as opposed to any other error while building a network.
_ALLOCATION_FAILURES = ("can't allocate memory", "out of memory", "overflow")


def _is_allocation_failure(error):
    """Whether ``error``, raised while building a network, says its tensors did not fit."""
    return isinstance(error, MemoryError) or any(
        text in str(error).lower() for text in _ALLOCATION_FAILURES)


def glorot_uniform_(module):
    """Draw the trainable convolution and linear weights of ``module`` Glorot-uniform and
    zero their biases, in place: the Keras defaults (``glorot_uniform``, ``zeros``) of the
    papers' code. Returns ``module``.

    A weight's fans are those of its ``Conv1d`` shape ``(out, in / groups, k)``, as
    Keras counts them; the memory layout of the weights is kept.
    """
    with torch.no_grad():
        for layer in module.modules():
            if isinstance(layer, (torch.nn.Conv1d, torch.nn.Linear)):
                if layer.weight.requires_grad:
                    torch.nn.init.xavier_uniform_(layer.weight)
                if layer.bias is not None and layer.bias.requires_grad:
                    torch.nn.init.zeros_(layer.bias)
    return module


class WeightedNetClassifier(_WeightedLoss, NeuralNetClassifier):
    """skorch's ``NeuralNetClassifier`` with per-case weights in the loss."""


class WeightedNetRegressor(_WeightedLoss, NeuralNetRegressor):
    """skorch's ``NeuralNetRegressor`` with per-case weights in the loss."""


class KeepBestWeights(Callback):
    """Keep the weights of the epoch with the best ``monitor`` in memory; restore them
    when training ends (also when it is interrupted).

    Parameters
    ----------
    monitor : str, default="train_loss"
        A history key whose ``{monitor}_best`` flag skorch records (``"train_loss"`` or
        ``"valid_loss"``).

    Attributes
    ----------
    best_epoch_ : int or None
        The epoch (counted from 1) whose weights were kept, among the epochs of the last
        training; None before an epoch completed.
    """

    def __init__(self, monitor="train_loss"):
        self.monitor = monitor

    def on_train_begin(self, net, **kwargs):
        self.best_epoch_, self._best_weights = None, None

    def on_epoch_end(self, net, **kwargs):
        if net.history[-1, f"{self.monitor}_best"]:
            self.best_epoch_ = len(net.history)
            self._best_weights = copy.deepcopy(net.module_.state_dict())

    def on_train_end(self, net, **kwargs):
        if self._best_weights is not None:
            net.module_.load_state_dict(self._best_weights)
        self._best_weights = None  # a fitted net does not carry a second copy of its weights


class DistillationLoss(nn.Module):
    """The loss of knowledge distillation, per case (Hinton et al. 2015).

    For classification, ``alpha`` times the temperature-scaled Kullback-Leibler
    divergence from the teacher's to the student's softened distribution,
    ``T**2 * KL(softmax(teacher / T) || softmax(student / T))`` (the ``T**2`` keeps its
    gradients at the scale of the cross-entropy's), plus ``1 - alpha`` times the
    cross-entropy on the true labels. The teacher's outputs are its log-probabilities
    (the log of an ensemble's averaged probabilities: logits up to a constant). For
    regression, ``alpha`` times the regression loss ``loss`` to the teacher's
    predictions plus ``1 - alpha`` times that loss to the targets (``temperature``
    unused): the student's own loss on both terms.

    The net passes the targets as ``[y_true, teacher_outputs]``; given the targets
    alone (a resumed training, which has no teacher) the loss is the task's plain one.

    Parameters
    ----------
    temperature : float, default=4.0
        Softens both distributions; higher values weigh the teacher's small
        probabilities (its "dark knowledge") more.
    alpha : float, default=0.5
        Weight of the teacher's term; ``1 - alpha`` weighs the true labels' term.
    regression : bool, default=False
        Real targets instead of distributions over classes.
    loss : {"squared_error", "absolute_error", "huber", "quantile"}, \
default="squared_error"
        The regression loss of both terms, as the regressors' ``loss``
        (:func:`task_criterion`); unused for classification.
    epsilon : float, default=0.1
        Huber's threshold between squared and absolute, as the regressors' ``epsilon``.
    quantile : float, default=0.5
        The pinball loss's quantile, as the regressors' ``quantile``.
    reduction : {"none", "mean"}, default="none"
        ``"none"`` returns one loss per case (and target), which the net weighs.
    """

    def __init__(self, temperature=4.0, alpha=0.5, regression=False, loss="squared_error",
                 epsilon=0.1, quantile=0.5, reduction="none"):
        super().__init__()
        self.temperature, self.alpha = temperature, alpha
        self.regression, self.loss, self.epsilon = regression, loss, epsilon
        self.quantile, self.reduction = quantile, reduction
        criterion, params = task_criterion(regression, loss, epsilon, quantile)
        self.task_loss = criterion(reduction="none", **params)

    def forward(self, y_pred, y_true):
        teacher = None
        if isinstance(y_true, (list, tuple)):
            y_true, teacher = y_true
        if self.regression:
            losses = self.task_loss(y_pred, y_true.reshape(y_pred.shape))
            if teacher is not None:
                losses = ((1 - self.alpha) * losses
                          + self.alpha * self.task_loss(y_pred, teacher))
        else:
            losses = self.task_loss(y_pred, y_true)
            if teacher is not None:
                t = self.temperature
                kl = nn.functional.kl_div(
                    nn.functional.log_softmax(y_pred / t, dim=1),
                    nn.functional.log_softmax(teacher / t, dim=1),
                    reduction="none", log_target=True,
                ).sum(dim=1)
                losses = (1 - self.alpha) * losses + self.alpha * t**2 * kl
        return losses.mean() if self.reduction == "mean" else losses


class InitialWeights(Callback):
    """Start training from given weights, optionally with some parameters frozen.

    At the start of training, loads ``state_dict`` into the network (its keys and
    shapes must match the network's, those in ``skip`` excepted: a fine-tuned
    network's new head keeps its fresh initialisation) and stops the gradients of the
    parameters whose names start with one of ``frozen``: Adam then leaves them as they
    are. Used by ``warm_start`` (every weight, nothing frozen) and
    :func:`inceptionsk.fine_tune`.

    Parameters
    ----------
    state_dict : dict
        Tensors by name, as ``module.state_dict()`` gives them.
    skip : tuple of str, default=()
        Prefixes of the names that keep the network's own initialisation.
    frozen : tuple of str, default=()
        Prefixes of the names of the parameters not trained.
    n_channels : int, default=None
        The channels of the series the weights were trained on, when known: a network
        for other channels is refused with that count.
    """

    def __init__(self, state_dict, skip=(), frozen=(), n_channels=None):
        self.state_dict, self.skip, self.frozen = state_dict, skip, frozen
        self.n_channels = n_channels

    def on_train_begin(self, net, **kwargs):
        if self.state_dict is None:  # loaded once, at the start of the first training
            return
        if self.n_channels is not None and net.module__c_in != self.n_channels:
            raise ValueError(
                f"The starting weights were trained on series of {self.n_channels} "
                f"channel(s), but X has {net.module__c_in}: the first layer's weights "
                "cannot carry over. Train on series with the source's channels."
            )
        kept = {name: tensor for name, tensor in self.state_dict.items()
                if not name.startswith(self.skip)}
        own = net.module_.state_dict()
        for name, tensor in kept.items():
            if name in own and own[name].shape != tensor.shape:
                raise ValueError(
                    f"The starting weights do not fit the network: {name} has shape "
                    f"{tuple(tensor.shape)} in them and {tuple(own[name].shape)} here. The "
                    f"first layer's shape follows the channels of X ({net.module__c_in} "
                    "here): train on series with the source's channels."
                )
        missing, unexpected = net.module_.load_state_dict(kept, strict=False)
        missing = [name for name in missing if not name.startswith(self.skip)]
        if missing or unexpected:
            raise ValueError(
                f"The starting weights do not fit the network: missing {missing[:3]}, "
                f"unexpected {unexpected[:3]}; the architectures differ."
            )
        for name, parameter in net.module_.named_parameters():
            if self.frozen and name.startswith(self.frozen):
                parameter.requires_grad_(False)
        self.state_dict = None  # the network holds them now: no second copy in net_


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
        shown = {"train_loss": f"{last['train_loss']:.4g}"}
        if "valid_loss" in last:
            shown["valid_loss"] = f"{last['valid_loss']:.4g}"
        shown["lr"] = f"{net.optimizer_.param_groups[0]['lr']:.2g}"
        self.bar_.set_postfix(shown, refresh=False)
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
    training loss, down to 1e-4. ``"one_cycle"``, for short budgets: one cycle per
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


def recipe_callbacks(*, lr_schedule, lr, max_epochs, batches_per_epoch, steps_done=0,
                     validation=False, n_iter_no_change=None, verbose=0, desc=None):
    """The recipe's callbacks: the schedule, keep-best, early stopping, a progress bar.

    ``validation``: the net holds out a validation split, whose loss chooses the weights
    kept and, with ``n_iter_no_change``, stops training; otherwise the training loss does.
    """
    monitor = "valid_loss" if validation else "train_loss"
    callbacks = [
        ("lr_scheduler", lr_scheduler(lr_schedule, lr, max_epochs, batches_per_epoch,
                                      steps_done)),
        ("keep_best", KeepBestWeights(monitor=monitor)),
    ]
    if n_iter_no_change is not None:
        callbacks.append(("early_stopping", EarlyStopping(
            monitor=monitor, patience=n_iter_no_change, threshold=0.0,
            threshold_mode="abs", sink=_silent,
        )))
    if verbose:
        callbacks.append(("progress", EpochProgressBar(desc=desc)))
    return callbacks


def _silent(*args, **kwargs):
    """A sink that prints nothing (module level so that nets pickle)."""


def summarize_history(history, elapsed):
    """One line on a finished training: epochs, time, the lowest loss and its epoch."""
    key = "valid_loss" if "valid_loss" in history[-1] else "train_loss"
    losses = np.asarray(history[:, key], dtype=float)
    best = int(np.argmin(losses))
    return (
        f"{len(losses)} epochs in {elapsed:.1f} s, lowest {key.replace('_', ' ')} "
        f"{losses[best]:.4g} at epoch {best + 1}"
    )


class Timer:
    """Wall-clock seconds of a ``with`` block, in ``elapsed``."""

    def __enter__(self):
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.elapsed = time.perf_counter() - self._start
