"""The estimator of one network: trained by skorch, scored in fixed chunks; an ensemble's member.

:class:`NetworkEstimator` holds what every single-network estimator does, whatever the
network and the task: on X validated once (:mod:`inceptionsk._base`), encode the targets
(the task mixin), build the
skorch net of the recipe, train it (also after an interrupt: ``resume``), and score
chunk by chunk on a copy of the network with batch norm folded in: predictions,
embeddings (``transform``) and activation maps. A concrete estimator
adds an architecture (``_network`` and ``_module_params``) and a task (``_tasks``).
"""

import math
import sys
import warnings
import weakref
from numbers import Integral

import numpy as np
import torch
from sklearn.utils import check_random_state
from skorch.dataset import ValidSplit

from ._base import SeriesEstimator
from .exceptions import TrainingDivergedError, TrainingInterruptedWarning, find_stack_level
from .network import fold_batch_norm
from .training import (
    AUTOCAST_DTYPES,
    MONITORED,
    DistillationLoss,
    InitialWeights,
    Timer,
    recipe_callbacks,
    resolve_device,
    seeded,
    summarize_history,
    task_criterion,
)

__all__ = ["NetworkEstimator"]


def _pad_rows(batch, size):
    """Pad a batch with zero cases up to ``size`` rows."""
    if len(batch) == size:
        return batch
    return torch.cat([batch, batch.new_zeros((size - len(batch), *batch.shape[1:]))])


def _training_inputs(X, lengths, weights, teacher_outputs=None):
    """What skorch trains on: X, or a dict of X with the lengths, the case weights and a
    teacher's outputs (distillation).

    skorch passes a dict's entries to the module's forward as keyword arguments (the
    loss's inputs excepted, see :class:`~inceptionsk.training.WeightedNetClassifier`). A
    read-only array (joblib's memory map in an ``n_jobs`` worker) is copied once, as
    torch warns about every batch taken from a non-writable array.
    """
    inputs = {name: np.require(value, requirements="W") for name, value in
              (("x", X), ("lengths", lengths), ("sample_weight", weights),
               ("teacher_outputs", teacher_outputs)) if value is not None}
    return inputs if len(inputs) > 1 else inputs["x"]


class NetworkEstimator(SeriesEstimator):
    """Fit, resume and scoring of one network (see the module docstring)."""

    _fitted_attribute = "net_"

    def _fit_validated(self, X, lengths, y, sample_weight, *, start=None, teacher=None):
        """``fit`` on validated input: also how an ensemble trains its members.

        ``start``: an :class:`~inceptionsk.training.InitialWeights` to start from
        (:func:`inceptionsk.fine_tune`); with ``warm_start`` on a fitted network, its
        own weights. ``teacher``: ``(outputs, loss)``, a teacher's outputs per case
        (probabilities, or predictions in the targets' units) and the parameters of the
        :class:`~inceptionsk.training.DistillationLoss` to train with
        (:func:`inceptionsk.distill`).
        """
        warm = self._warm()
        if warm and start is None:
            # MLPClassifier's warm start: the weights carry over; the optimizer, the
            # schedule, the history and the keep-best choice start afresh
            start = InitialWeights(self.net_.module_.state_dict())
        # a warm start keeps the classes (checked) and a regressor's target scaling
        targets = self._encode_known_target(y) if warm else self._encode_target(y)
        vars(self).pop("net_", None)
        self._n_train_cases = len(X)  # sizes the schedule and the split, also at load
        self._check_validation_split(targets)
        shortest = X.shape[-1] if lengths is None else int(lengths.min())
        net = self._build_net(
            n_channels=X.shape[1], n_outputs=self._n_outputs(),
            device=resolve_device(self.device),
            # BatchNorm cannot train on a batch of one value per channel: with series of
            # one time point, drop a last batch of a single case (shuffling varies which)
            drop_last=bool(shortest == 1 and self._n_fit_cases() % self.batch_size == 1),
            start=start, distillation=None if teacher is None else teacher[1],
        )
        teacher_outputs = None if teacher is None else self._encode_teacher(teacher[0])
        inputs = _training_inputs(X, lengths, self._case_weights(targets, sample_weight),
                                  teacher_outputs)
        self._train(net, inputs, targets, X, seed=self._seed())
        return self

    def _resume_validated(self, X, lengths, y, sample_weight):
        targets = self._encode_known_target(y)
        net = self.net_
        max_epochs = self._budget(self._n_train_cases).max_epochs
        remaining = max_epochs - len(net.history)
        if remaining <= 0 or self._stopped_early():
            self.interrupted_ = False
            return self
        # the current callbacks and verbosity, a schedule placed where training stopped
        net.callbacks = self._callbacks(
            drop_last=net.iterator_train__drop_last,
            steps_done=sum(len(epoch["batches"]) for epoch in net.history),
        )
        net.verbose, net.max_epochs = int(self.verbose >= 2), max_epochs
        net.autocast_dtype = AUTOCAST_DTYPES[self.precision]
        net.initialize_callbacks()
        inputs = _training_inputs(X, lengths, self._case_weights(targets, sample_weight))
        self._train(net, inputs, targets, X, seed=self._seed() + len(net.history),
                    epochs=remaining)
        return self

    def _build_net(self, *, n_channels, n_outputs, device, drop_last=False, start=None,
                   distillation=None):
        """The skorch net of this estimator's network and recipe; ``fit`` trains it, and
        :func:`inceptionsk.load` initialises it to load saved weights. ``start`` (an
        ``InitialWeights`` callback) sets the first weights, and ``distillation`` (the
        parameters of a ``DistillationLoss``) replaces the task's loss by that one."""
        validation = self.validation_fraction is not None
        if distillation is None:
            criterion, loss = task_criterion(**self._task_loss())
        else:
            criterion, loss = DistillationLoss, {**distillation, **self._task_loss()}
        net = self._net_class(
            self._network,
            **{f"module__{name}": value
               for name, value in self._module_params(n_channels, n_outputs).items()},
            criterion=criterion,
            criterion__reduction="none",  # the net weighs and averages the cases' losses
            **{f"criterion__{name}": value for name, value in loss.items()},
            optimizer=torch.optim.Adam,
            lr=self.lr,
            max_epochs=self._budget(self._n_train_cases).max_epochs,
            batch_size=self.batch_size,
            train_split=ValidSplit(
                self.validation_fraction, stratified=not self._regression,
                random_state=self._seed(),
            ) if validation else None,
            iterator_train__shuffle=True,
            iterator_train__drop_last=drop_last,
            callbacks=[("initial_weights", start)] * (start is not None)
            + self._callbacks(drop_last=drop_last),
            device=device,
            # skorch's per-epoch table only at verbose >= 2; verbose=1 is the epoch bar
            verbose=int(self.verbose >= 2),
        )
        net.autocast_dtype = AUTOCAST_DTYPES[self.precision]
        net.weight_init = self.weight_init
        return net

    def _callbacks(self, *, drop_last, steps_done=0):
        """The recipe's callbacks and the user's; ``steps_done`` batches trained before
        (a resumed training) place a one-cycle schedule."""
        n_fit = self._n_fit_cases()
        batches = n_fit // self.batch_size if drop_last else math.ceil(n_fit / self.batch_size)
        budget = self._budget(self._n_train_cases)
        return recipe_callbacks(
            lr_schedule=budget.lr_schedule, lr=self.lr, max_epochs=budget.max_epochs,
            batches_per_epoch=max(batches, 1), steps_done=steps_done,
            validation=self.validation_fraction is not None,
            n_iter_no_change=self.n_iter_no_change, verbose=self.verbose, desc=self._label(),
        ) + list(self.callbacks or [])

    def _n_fit_cases(self):
        """Cases the network trains on: all, less the validation split when there is one."""
        n = self._n_train_cases
        if self.validation_fraction is None:
            return n
        return n - math.ceil(self.validation_fraction * n)  # as ShuffleSplit rounds

    def _check_validation_split(self, targets):
        """Refuse a validation split that leaves too little to train or to validate on."""
        if self.validation_fraction is None:
            return
        if not self._regression:
            counts = np.bincount(targets, minlength=len(self.classes_))
            if counts.min() < 2:
                rare = self.classes_[counts < 2].tolist()
                raise ValueError(
                    f"validation_fraction={self.validation_fraction} holds out a split "
                    f"stratified by class, which needs at least 2 cases of each class; "
                    f"y has only 1 case of class(es) {rare}. Pass more cases of them, or "
                    "set validation_fraction=None."
                )
        n_valid = self._n_train_cases - self._n_fit_cases()
        needed = 1 if self._regression else len(self.classes_)
        if n_valid < needed or self._n_fit_cases() < max(needed, 2):
            raise ValueError(
                f"validation_fraction={self.validation_fraction} splits the "
                f"{self._n_train_cases} training cases into {self._n_fit_cases()} to train "
                f"on and {n_valid} to validate on; each part needs at least {max(needed, 2)}"
                f"{' (one per class)' if needed > 1 else ''}. Pass more cases, change "
                "validation_fraction, or set it to None."
            )

    def _train(self, net, inputs, targets, X, *, seed, epochs=None):
        """Train ``net`` (all ``max_epochs``, or ``epochs`` more) and keep it as ``net_``.

        skorch ends training on a ``KeyboardInterrupt`` (Ctrl-C) without raising, after
        restoring the best weights of the epochs completed; an epoch cut short leaves a
        row in the history without a training loss, dropped here.
        """
        with seeded(seed), Timer() as timer:
            if epochs is None:
                net.fit(inputs, targets)
            else:
                net.partial_fit(inputs, targets, epochs=epochs)
        history = net.history
        if history and "train_loss" not in history[-1]:
            del history[-1]
        if not history:
            # interrupted before one epoch completed: nothing to keep, so let the
            # interrupt stop the caller as it would anywhere else
            vars(self).pop("net_", None)
            raise KeyboardInterrupt
        if not _weights_are_finite(net.module_):
            vars(self).pop("net_", None)  # a diverged network predicts nothing
            raise TrainingDivergedError(
                f"{type(self).__name__}'s training diverged: the network's weights or "
                "batch-norm statistics became NaN or infinite. X holds values up to |x| = "
                f"{np.abs(X).max():.3g}; squares of values beyond about 1e19 overflow "
                "float32 in batch normalisation. Scale X, e.g. with "
                "inceptionsk.SeriesStandardScaler in a Pipeline before this estimator, or "
                f"lower lr (now {self.lr})."
            )
        self.net_ = net
        self.stopped_early_ = net.stopped_early_
        self.interrupted_ = len(history) < net.max_epochs and not self.stopped_early_
        if self.interrupted_:
            monitored = MONITORED[dict(net.callbacks_)["keep_best"].monitor]
            warnings.warn(
                f"{type(self).__name__}: training interrupted after {len(history)} of "
                f"{net.max_epochs} epochs. Kept the weights of epoch {self._kept_epoch()}, "
                f"the lowest {monitored} so far; the estimator is fitted and can predict. "
                f"Call resume(X, y) with the same data to train the remaining "
                f"{net.max_epochs - len(history)} epochs.",
                TrainingInterruptedWarning, stacklevel=find_stack_level(),
            )
        if self.verbose:
            # beside the progress bar on stderr, so that stdout holds only results
            print(f"{self._label()}: {summarize_history(history, timer.elapsed)}",
                  file=sys.stderr, flush=True)

    def _stopped_early(self):
        """Whether the last training ended by early stopping: then the network is done.

        Models saved before early stopping existed have no ``stopped_early_``.
        """
        return getattr(self, "stopped_early_", False)

    def _kept_epoch(self):
        """The epoch whose weights the keep-best callback restored (or the last one)."""
        kept = dict(self.net_.callbacks_)["keep_best"].best_epoch_
        return len(self.net_.history) if kept is None else kept

    def _label(self):
        """How the progress bar and the summary name this network: by its random_state
        when that is an int (as for an ensemble's members)."""
        if isinstance(self.random_state, Integral):
            return f"{type(self).__name__}(random_state={self.random_state})"
        return type(self).__name__

    def _seed(self):
        """The torch seed of this network, drawn from ``random_state``."""
        return int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))

    @property
    def history_(self):
        """skorch's ``History`` of the training: ``history_[:, "train_loss"]`` per epoch."""
        self._check_fitted()
        return self.net_.history

    @property
    def module_(self):
        """The trained torch module (:mod:`inceptionsk.network`)."""
        self._check_fitted()
        return self.net_.module_

    # -- scoring ------------------------------------------------------------------

    def _predict_validated(self, X, lengths):
        """Predictions (probabilities or targets) for validated X."""
        return self._finish(_check_outputs_are_finite(np.concatenate(self._score(X, lengths))))

    def _embed_validated(self, X, lengths):
        """The pooled features ``(n_cases, n_features)`` of validated X: the head's input."""
        return _check_outputs_are_finite(np.concatenate(self._score(X, lengths, "embed")))

    def _cam_validated(self, X, lengths):
        """The activation maps ``(n_cases, n_outputs, n_timepoints)`` of every output of
        the network for validated X, zero past each series' end, in the task's units
        (``_finish_map``)."""
        maps = np.zeros((len(X), self._n_outputs(), X.shape[-1]), dtype=np.float32)
        start = 0
        for chunk in self._score(X, lengths, "class_activation_map"):
            # a chunk of unequal lengths stops at its longest series
            maps[start:start + len(chunk), :, :chunk.shape[-1]] = chunk
            start += len(chunk)
        _check_outputs_are_finite(maps.reshape(len(X), -1))
        return self._finish_map(maps)

    @property
    def _n_features_out(self):
        """Features of ``transform``: the width of the head's input."""
        return self.module_.fc.in_features

    def _score(self, X, lengths, method="forward"):
        """``method`` of the network (``forward``: outputs) on validated X, chunk by chunk:
        a list of float32 arrays, one per chunk.

        Kernels choose their algorithm by batch size, so a case scored alone and in a
        batch can differ by ~1e-7. Scoring always runs on chunks of exactly
        :meth:`_scoring_chunk_size` cases (the last one padded with zeros), so a case's
        result depends on nothing but the case itself; memory stays bounded too.
        """
        device = self.net_.device
        size = self._scoring_chunk_size(device)
        module = _folded(self.net_.module_)
        results = []
        with torch.inference_mode():
            for start in range(0, len(X), size):
                chunk = _pad_rows(torch.from_numpy(X[start:start + size]), size)
                chunk_lengths = None
                if lengths is not None:
                    chunk_lengths = torch.full((size,), X.shape[-1])
                    chunk_lengths[: len(lengths[start:start + size])] = torch.from_numpy(
                        lengths[start:start + size]
                    )
                n_real = min(size, len(X) - start)
                # forward through __call__, which runs torch's hooks
                run = module if method == "forward" else getattr(module, method)
                result = run(chunk.to(device), lengths=chunk_lengths)
                # a numpy copy, so that no torch tensor outlives its chunk: small torch
                # outputs kept between the chunks' large activation buffers pin the heap,
                # and the peak memory grows with X (tests/test_memory.py)
                results.append(result[:n_real].float().cpu().numpy().copy())
        return results

    def _scoring_chunk_size(self, device):
        """Cases per scoring chunk, fixed for a fitted model.

        ``batch_size`` on the CPU, where larger batches score slower (the activations
        fall out of cache). A GPU needs large batches to be busy, so there chunks grow
        up to 1024 cases while one layer's activations stay under 2**26 values (256 MB).
        """
        if not str(device).startswith("cuda"):
            return self.batch_size
        values_per_case = self.net_.module_.fc.in_features * self.n_timepoints_in_
        return max(self.batch_size, min(1024, 2**26 // values_per_case))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags


#: The batch-norm-folded copy of each network being scored, beside the network's tensor
#: versions when it was made. Folding copies the network, which would cost more than
#: scoring a few cases, so the copy is kept while the network lives and its weights and
#: statistics stay as they were (training, ``load_state_dict`` and any in-place edit move
#: a tensor's version counter). Kept here, not on the estimator, whose predict methods
#: must leave it unchanged.
_FOLDED = weakref.WeakKeyDictionary()


def _folded(network):
    """``fold_batch_norm(network)``: what scoring runs (the same outputs, fewer passes
    over the activations), made again only when the network changed."""
    versions = tuple(tensor._version for tensor in network.state_dict().values())
    cached = _FOLDED.get(network)
    if cached is None or cached[0] != versions:
        cached = _FOLDED[network] = (versions, fold_batch_norm(network))
    return cached[1]


def _weights_are_finite(module):
    """Whether every weight and batch-norm statistic of ``module`` is finite."""
    return all(torch.isfinite(t).all() for t in module.state_dict().values()
               if t.is_floating_point())


def _check_outputs_are_finite(outputs):
    """Refuse to turn non-finite network outputs into predictions."""
    bad = ~np.isfinite(outputs).all(axis=1)
    if bad.any():
        raise ValueError(
            f"The network's outputs are NaN or infinite for {np.count_nonzero(bad)} of "
            f"{len(outputs)} cases (first: case {np.argmax(bad)}): X holds values too "
            "large for the network's float32 arithmetic. Scale X the way the training "
            "data were scaled, e.g. with inceptionsk.SeriesStandardScaler in a Pipeline."
        )
    return outputs
