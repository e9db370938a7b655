"""Estimators that train one InceptionTime network: the members of the ensembles."""

import sys
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import EarlyStopping

from ._validation import (
    check_callbacks,
    check_classes,
    check_trainable,
    validate_series_lengths,
    validate_target,
)
from .exceptions import TrainingInterruptedWarning
from .network import fold_batch_norm
from .training import Timer, build_net, resolve_device, seeded, summarize_history

__all__ = ["InceptionNetworkClassifier", "InceptionNetworkRegressor"]

#: Constraints shared by the single-network estimators and the ensembles.
NETWORK_PARAMETER_CONSTRAINTS = {
    "n_filters": [Interval(Integral, 1, None, closed="left")],
    # ks // 4 must stay a positive odd kernel size, so the longest kernel is at least 4.
    "kernel_size": [Interval(Integral, 4, None, closed="left")],
    "depth": [Interval(Integral, 1, None, closed="left")],
    "use_residual": ["boolean"],
    "use_bottleneck": ["boolean"],
    "max_epochs": [Interval(Integral, 1, None, closed="left")],
    "batch_size": [Interval(Integral, 1, None, closed="left")],
    # an infinite learning rate turns the weights into NaN at the first step
    "lr": [Interval(Real, 0, np.inf, closed="neither")],
    "lr_schedule": [StrOptions({"plateau", "one_cycle"})],
    "device": [str, torch.device],
    "callbacks": [list, None],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
}


def _pad_rows(batch, size):
    """Pad a batch with zero cases up to ``size`` rows."""
    if len(batch) == size:
        return batch
    return torch.cat([batch, batch.new_zeros((size - len(batch), *batch.shape[1:]))])


class _SaveMixin:
    """``save(path)``, for the ensembles and the single networks alike."""

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
        # imported here because the persistence module imports the estimators
        from .persistence import _save

        _save(self, path, stacklevel=3)


class _InceptionNetworkBase(_SaveMixin, BaseEstimator):
    """Fit and scoring shared by the single-network classifier and regressor."""

    _parameter_constraints = NETWORK_PARAMETER_CONSTRAINTS

    def __init__(
        self, *, n_filters=32, kernel_size=40, depth=6, use_residual=True,
        use_bottleneck=True, max_epochs=1500, batch_size=64, lr=0.001, lr_schedule="plateau",
        device="auto", callbacks=None, random_state=None, verbose=0,
    ):
        self.n_filters = n_filters
        self.kernel_size = kernel_size
        self.depth = depth
        self.use_residual = use_residual
        self.use_bottleneck = use_bottleneck
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.lr_schedule = lr_schedule
        self.device = device
        self.callbacks = callbacks
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the network on X and y with the paper's recipe.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints) or (n_cases, n_timepoints)
            Training series; a 2D array is one channel.
        y : array-like of shape (n_cases,)
            Class labels (classifier) or targets (regressor, also (n_cases, n_outputs)).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        check_callbacks(self)
        X, lengths = validate_series_lengths(self, X, reset=True)
        check_trainable(self, X, lengths)
        y = self._encode_target(validate_target(y, X.shape[0], regression=self._regression))
        device = resolve_device(self.device)
        seed = self._seed()
        shortest = X.shape[-1] if lengths is None else int(lengths.min())
        self._n_train_cases = X.shape[0]  # sizes the one-cycle schedule, also at load
        self.net_ = self._build_net(
            n_channels=X.shape[1],
            n_outputs=self._n_outputs(y),
            drop_last=bool(shortest == 1 and X.shape[0] % self.batch_size == 1),
            device=device,
            seed=seed,
        )
        with seeded(seed), Timer() as timer:
            self.net_.fit(_training_inputs(X, lengths), y)
        self._end_training(X, timer, stacklevel=4)
        return self

    def resume(self, X, y):
        """Train the epochs that an interrupted ``fit`` did not reach.

        Continues the training of this network (its weights, Adam's state, the learning
        rate and the history) for ``max_epochs - len(history_)`` epochs, on the data
        given to ``fit``, with the current ``callbacks`` and ``verbose``. Raising
        ``max_epochs`` with ``set_params`` first trains that many more epochs. ``fit``
        itself always starts afresh, as in scikit-learn.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints) or (n_cases, n_timepoints)
            The training series given to ``fit``.
        y : array-like of shape (n_cases,)
            The labels (or targets) given to ``fit``.

        Returns
        -------
        self : object
            The estimator, trained for ``max_epochs`` epochs in all unless interrupted
            again.

        Notes
        -----
        The resumed epochs shuffle the batches from a seed derived from
        ``random_state`` and the epochs done, so a resumed training is reproducible but
        not bitwise equal to one that was never interrupted. The weights kept at the
        end are those of the lowest training loss among the resumed epochs (which start
        from the weights kept at the interrupt).
        """
        check_is_fitted(self, "net_")
        self._validate_params()
        X, lengths = validate_series_lengths(self, X, reset=False)
        y = self._encode_known_target(
            validate_target(y, X.shape[0], regression=self._regression)
        )
        remaining = self.max_epochs - len(self.net_.history)
        if remaining <= 0:
            self.interrupted_ = False
            return self
        seed = self._seed() + len(self.net_.history)
        # Train with the current callbacks and verbosity (set_params since fit), and a
        # keep-best patience that covers the current max_epochs: the recipe's callbacks
        # of a net built now.
        fresh = self._build_net(
            n_channels=self.net_.module__c_in, n_outputs=self.net_.module__c_out,
            drop_last=self.net_.iterator_train__drop_last, device=self.net_.device, seed=seed,
            steps_done=sum(len(epoch["batches"]) for epoch in self.net_.history),
        )
        self.net_.callbacks, self.net_.verbose = fresh.callbacks, fresh.verbose
        self.net_.max_epochs = self.max_epochs
        self.net_.initialize_callbacks()
        with seeded(seed), Timer() as timer:
            self.net_.partial_fit(_training_inputs(X, lengths), y, epochs=remaining)
        self._end_training(X, timer, stacklevel=3)
        return self

    def _label(self):
        """How the progress bar and the summary name this network: by its random_state
        when that is an int (as for an ensemble's members)."""
        if isinstance(self.random_state, Integral):
            return f"{type(self).__name__}(random_state={self.random_state})"
        return type(self).__name__

    def _seed(self):
        """The torch seed of this network, drawn from ``random_state``."""
        return int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))

    def _build_net(self, *, n_channels, n_outputs, drop_last, device, seed, steps_done=0):
        """The skorch net of this estimator's parameters (also used to load a saved one);
        ``steps_done`` batches already trained place a resumed one-cycle schedule."""
        return build_net(
            regression=self._regression,
            n_channels=n_channels,
            n_outputs=n_outputs,
            n_filters=self.n_filters,
            kernel_size=self.kernel_size,
            depth=self.depth,
            use_residual=self.use_residual,
            use_bottleneck=self.use_bottleneck,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            lr=self.lr,
            lr_schedule=self.lr_schedule,
            n_cases=self._n_train_cases,
            device=device,
            callbacks=self.callbacks,
            verbose=self.verbose,
            desc=self._label(),
            drop_last=drop_last,
            steps_done=steps_done,
        )

    def _end_training(self, X, timer, stacklevel):
        """Account for an interrupt, refuse diverged weights, report: after fit or resume.

        skorch ends training on a ``KeyboardInterrupt`` (Ctrl-C) without raising, after
        restoring the weights of the lowest training loss of the epochs completed; an
        epoch cut short leaves a row in the history without a training loss.
        """
        history = self.net_.history
        if history and "train_loss" not in history[-1]:
            del history[-1]
        if not history:
            # interrupted before one epoch completed: nothing to keep, so let the
            # interrupt stop the caller as it would anywhere else
            del self.net_
            raise KeyboardInterrupt
        self._check_weights_are_finite(X)
        self.interrupted_ = len(history) < self.max_epochs and not any(
            # skorch's EarlyStopping also stops training with a KeyboardInterrupt
            isinstance(callback, EarlyStopping) and callback.misses_ >= callback.patience
            for _, callback in self.net_.callbacks_
        )
        if self.interrupted_:
            warnings.warn(
                f"{type(self).__name__}: training interrupted after {len(history)} of "
                f"{self.max_epochs} epochs. Kept the weights of epoch {self._kept_epoch()}, "
                "the lowest training loss so far; the estimator is fitted and can predict. "
                f"Call resume(X, y) with the same data to train the remaining "
                f"{self.max_epochs - len(history)} epochs.",
                # the warning points at the caller of fit or resume
                TrainingInterruptedWarning, stacklevel=stacklevel,
            )
        if self.verbose:
            # beside the progress bar on stderr, so that stdout holds only results
            print(f"{self._label()}: {summarize_history(history, timer.elapsed)}",
                  file=sys.stderr, flush=True)

    def _kept_epoch(self):
        """The epoch whose weights the keep-best callback restored (or the last one)."""
        keep_best = dict(self.net_.callbacks_)["keep_best"]
        if keep_best.best_model_weights_ is None:
            return len(self.net_.history)
        return keep_best.best_epoch_

    def _check_weights_are_finite(self, X):
        """Refuse a network whose weights or batch-norm statistics overflowed."""
        state = self.net_.module_.state_dict().values()
        if all(torch.isfinite(t).all() for t in state if t.is_floating_point()):
            return
        del self.net_
        raise ValueError(
            f"{type(self).__name__}'s training diverged: the network's weights or "
            "batch-norm statistics became NaN or infinite. X holds values up to |x| = "
            f"{np.abs(X).max():.3g}; squares of values beyond about 1e19 overflow float32 "
            "in batch normalisation. Scale X, e.g. with inceptionsk.SeriesStandardScaler "
            f"in a Pipeline before this estimator, or lower lr (now {self.lr})."
        )

    @staticmethod
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

    @property
    def history_(self):
        """skorch's ``History`` of the training: ``history_[:, "train_loss"]`` per epoch."""
        check_is_fitted(self, "net_")
        return self.net_.history

    @property
    def module_(self):
        """The trained :class:`~inceptionsk.network.InceptionTime` torch module."""
        check_is_fitted(self, "net_")
        return self.net_.module_

    def _forward(self, X):
        """Network outputs for X in float32, independent of how the cases are batched.

        Kernels choose their algorithm by batch size, so a case scored alone and in a
        batch can differ by ~1e-7. Scoring always runs on chunks of exactly
        :meth:`_scoring_chunk_size` cases (the last one padded with zeros), so a case's
        output depends on nothing but the case itself.
        """
        check_is_fitted(self, "net_")
        X, lengths = validate_series_lengths(self, X, reset=False)
        module = self.net_.module_
        module.eval()
        device = self.net_.device
        size = self._scoring_chunk_size(device)
        outputs = []
        with torch.inference_mode():
            # batch norm folded into the convolutions: the same outputs, ~1.8x faster
            module = fold_batch_norm(module)
            for start in range(0, len(X), size):
                chunk = _pad_rows(torch.from_numpy(X[start:start + size]), size)
                chunk_lengths = None
                if lengths is not None:
                    chunk_lengths = torch.full((size,), X.shape[-1])
                    chunk_lengths[: len(lengths[start:start + size])] = torch.from_numpy(
                        lengths[start:start + size]
                    )
                n_real = min(size, len(X) - start)
                logits = module(chunk.to(device), lengths=chunk_lengths)
                # a numpy copy, so that no torch tensor outlives its chunk: small torch
                # outputs kept between the chunks' large activation buffers pinned the
                # heap (scoring 100,000 x 1 x 1,000 grew the peak RSS by 3.9 GB)
                outputs.append(logits[:n_real].float().cpu().numpy().copy())
        return np.concatenate(outputs)

    def _scoring_chunk_size(self, device):
        """Cases per scoring chunk, fixed for a fitted model.

        ``batch_size`` on the CPU, where larger batches score slower (the activations
        fall out of cache: 30-40% slower at 256 and 1000 cases than at 64). A GPU needs
        large batches to be busy (3x the cases per second at 1024 than at 64 on an
        H200), so there chunks grow up to 1024 cases while one layer's activations stay
        under 2**26 values (256 MB).
        """
        if not str(device).startswith("cuda"):
            return self.batch_size
        values_per_case = 4 * self.n_filters * self.n_timepoints_in_
        return max(self.batch_size, min(1024, 2**26 // values_per_case))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.non_deterministic = False
        return tags


def _training_inputs(X, lengths):
    """What skorch trains on: X, or a dict of X and the lengths for unequal lengths.

    skorch passes a dict's entries to the module's forward as keyword arguments. A
    read-only X (joblib's memory map in an ``n_jobs`` worker) is copied once, as torch
    warns about every batch taken from a non-writable array.
    """
    X = np.require(X, requirements="W")
    return X if lengths is None else {"x": X, "lengths": lengths}


class InceptionNetworkClassifier(ClassifierMixin, _InceptionNetworkBase):
    """One InceptionTime network trained as a classifier: a member of the ensemble.

    Trains :class:`~inceptionsk.network.InceptionTime` with skorch and the paper's
    recipe (Adam, learning rate halved on a training-loss plateau of 50 epochs down to
    1e-4, the weights of the lowest training loss kept). Most users want the 5-network
    :class:`~inceptionsk.InceptionTimeClassifier`; this class is its building block.

    Parameters
    ----------
    n_filters : int, default=32
        Filters of each of the four branches of an Inception module.
    kernel_size : int, default=40
        Longest convolution kernel; the modules use ``kernel_size``, ``kernel_size // 2``
        and ``kernel_size // 4``, each made odd (39, 19, 9).
    depth : int, default=6
        Number of Inception modules.
    use_residual : bool, default=True
        Whether every third module gets a residual shortcut.
    use_bottleneck : bool, default=True
        Whether modules reduce their input with a 1x1 convolution first.
    max_epochs : int, default=1500
        Training epochs.
    batch_size : int, default=64
        Mini-batch size of training, and the chunk size of scoring.
    lr : float, default=0.001
        Initial learning rate of Adam.
    lr_schedule : {"plateau", "one_cycle"}, default="plateau"
        ``"plateau"`` is the paper's: the rate halves after 50 epochs without a lower
        training loss, down to 1e-4. ``"one_cycle"`` is the fast recipe: one cycle up
        to ``10 * lr`` and down to nearly zero over ``max_epochs``, for far fewer epochs
        (see the README).
    device : str or torch.device, default="auto"
        Torch device; ``"auto"`` takes CUDA when available, else the CPU.
    callbacks : list of skorch callbacks, default=None
        Extra skorch callbacks (or ``(name, callback)`` tuples) added to the recipe's.
    random_state : int, RandomState instance or None, default=None
        Seeds the weights and the shuffling. An int gives reproducible training.
    verbose : int, default=0
        0 prints nothing; 1 shows a progress bar over epochs and a summary line; 2
        also prints skorch's table of every epoch.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels, sorted.
    n_features_in_ : int
        ``X.shape[1]`` of the X passed to fit: the number of channels for 3D X, the
        number of time points for 2D X.
    n_channels_in_ : int
        Number of channels seen in fit.
    n_timepoints_in_ : int
        Series length seen in fit; X at predict must have the same length.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when fit on a pandas DataFrame with string column names.
    net_ : skorch.NeuralNetClassifier
        The skorch net that trained the network.
    history_ : skorch.History
        The training history (``history_[:, "train_loss"]``).
    module_ : InceptionTime
        The trained network.
    interrupted_ : bool
        Whether the last ``fit`` or ``resume`` was interrupted before ``max_epochs``.

    See Also
    --------
    InceptionTimeClassifier : The paper's ensemble of these networks.

    Notes
    -----
    **Input.** Series at predict must have the channels seen in fit. An estimator fitted
    on equal-length series refuses other lengths: the network is length-agnostic after
    its global pooling, but for 2D X the time points are scikit-learn's features, whose
    count must not change; fitted on series of unequal lengths (a list of 2D arrays),
    it scores series of any length. NaN, infinite values and
    values beyond float32 are refused with their count and position; fill gaps with
    :class:`~inceptionsk.SeriesImputer` in a Pipeline. Scoring runs in chunks of exactly
    ``batch_size`` cases, the last one padded, so memory stays bounded and a case's output
    does not depend on the other cases scored with it.

    **Interrupts.** A ``KeyboardInterrupt`` (Ctrl-C) during ``fit`` keeps the epochs
    completed: skorch stops the training and restores the weights of the lowest
    training loss, an epoch cut short is dropped from ``history_``, ``interrupted_`` is
    set and a :class:`~inceptionsk.exceptions.TrainingInterruptedWarning` says what was
    kept. The estimator predicts as is, and ``resume(X, y)`` trains the remaining epochs.
    An interrupt before the first epoch completes keeps nothing and propagates.

    **Saving.** ``save(path)`` writes one file that :func:`inceptionsk.load` reads back
    without unpickling code, on the CPU by default (see :mod:`inceptionsk.persistence`);
    pickle and joblib work too.

    Examples
    --------
    >>> from inceptionsk import InceptionNetworkClassifier
    >>> from inceptionsk.datasets import load_gunpoint
    >>> X, y = load_gunpoint(split="train", return_X_y=True)
    >>> clf = InceptionNetworkClassifier(max_epochs=2, depth=3, random_state=0)
    >>> clf.fit(X, y).predict(X[:3]).shape
    (3,)
    """

    _regression = False

    def _encode_target(self, y):
        check_classification_targets(y)
        self.classes_, encoded = np.unique(y, return_inverse=True)
        check_classes(self, self.classes_)
        return encoded.astype(np.int64)

    def _encode_known_target(self, y):
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            raise ValueError(
                f"y holds labels not seen in fit ({list(unknown[:5])}); resume with the "
                "data given to fit."
            )
        return np.searchsorted(self.classes_, y).astype(np.int64)

    def _n_outputs(self, y):
        return len(self.classes_)

    def predict_proba(self, X):
        """Class probabilities: the softmax of the network's logits.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints) or (n_cases, n_timepoints)

        Returns
        -------
        proba : ndarray of shape (n_cases, n_classes)
            Columns follow ``classes_``.
        """
        check_is_fitted(self)
        logits = self._check_outputs_are_finite(self._forward(X)).astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Predicted class labels.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints) or (n_cases, n_timepoints)

        Returns
        -------
        y_pred : ndarray of shape (n_cases,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class InceptionNetworkRegressor(RegressorMixin, _InceptionNetworkBase):
    """One InceptionTime network trained as a regressor: a member of the ensemble.

    The same network and recipe as :class:`InceptionNetworkClassifier`, with a linear
    head of ``n_outputs`` units trained on the mean squared error of standardised
    targets (each target scaled to mean 0 and variance 1, undone at predict).

    Parameters
    ----------
    n_filters : int, default=32
        Filters of each of the four branches of an Inception module.
    kernel_size : int, default=40
        Longest convolution kernel (39, 19 and 9 for 40).
    depth : int, default=6
        Number of Inception modules.
    use_residual : bool, default=True
        Whether every third module gets a residual shortcut.
    use_bottleneck : bool, default=True
        Whether modules reduce their input with a 1x1 convolution first.
    max_epochs : int, default=1500
        Training epochs.
    batch_size : int, default=64
        Mini-batch size of training, and the chunk size of scoring.
    lr : float, default=0.001
        Initial learning rate of Adam.
    lr_schedule : {"plateau", "one_cycle"}, default="plateau"
        ``"plateau"`` is the paper's: the rate halves after 50 epochs without a lower
        training loss, down to 1e-4. ``"one_cycle"`` is the fast recipe: one cycle up
        to ``10 * lr`` and down to nearly zero over ``max_epochs``, for far fewer epochs
        (see the README).
    device : str or torch.device, default="auto"
        Torch device; ``"auto"`` takes CUDA when available, else the CPU.
    callbacks : list of skorch callbacks, default=None
        Extra skorch callbacks added to the recipe's.
    random_state : int, RandomState instance or None, default=None
        Seeds the weights and the shuffling.
    verbose : int, default=0
        0 prints nothing; 1 a progress bar and a summary line; 2 also skorch's table.

    Attributes
    ----------
    n_features_in_ : int
        ``X.shape[1]`` of the X passed to fit.
    n_channels_in_ : int
        Number of channels seen in fit.
    n_timepoints_in_ : int
        Series length seen in fit.
    n_outputs_ : int
        Number of targets.
    target_scaler_ : sklearn.preprocessing.StandardScaler
        The network learns standardised targets; predictions are scaled back.
    net_ : skorch.NeuralNetRegressor
        The skorch net that trained the network.
    history_ : skorch.History
        The training history.
    module_ : InceptionTime
        The trained network.
    interrupted_ : bool
        Whether the last ``fit`` or ``resume`` was interrupted before ``max_epochs``.

    See Also
    --------
    InceptionTimeRegressor : The ensemble of these networks.

    Notes
    -----
    **Input.** Series at predict must have the channels seen in fit. An estimator fitted
    on equal-length series refuses other lengths: the network is length-agnostic after
    its global pooling, but for 2D X the time points are scikit-learn's features, whose
    count must not change; fitted on series of unequal lengths (a list of 2D arrays),
    it scores series of any length. NaN, infinite values and
    values beyond float32 are refused with their count and position; fill gaps with
    :class:`~inceptionsk.SeriesImputer` in a Pipeline. Scoring runs in chunks of exactly
    ``batch_size`` cases, the last one padded, so memory stays bounded and a case's output
    does not depend on the other cases scored with it.

    **Interrupts.** A ``KeyboardInterrupt`` (Ctrl-C) during ``fit`` keeps the epochs
    completed: skorch stops the training and restores the weights of the lowest
    training loss, an epoch cut short is dropped from ``history_``, ``interrupted_`` is
    set and a :class:`~inceptionsk.exceptions.TrainingInterruptedWarning` says what was
    kept. The estimator predicts as is, and ``resume(X, y)`` trains the remaining epochs.
    An interrupt before the first epoch completes keeps nothing and propagates.

    **Saving.** ``save(path)`` writes one file that :func:`inceptionsk.load` reads back
    without unpickling code, on the CPU by default (see :mod:`inceptionsk.persistence`);
    pickle and joblib work too.

    Examples
    --------
    >>> import numpy as np
    >>> from inceptionsk import InceptionNetworkRegressor
    >>> X = np.random.RandomState(0).normal(size=(20, 1, 30))
    >>> y = X.mean(axis=(1, 2))
    >>> reg = InceptionNetworkRegressor(max_epochs=2, depth=3, random_state=0)
    >>> reg.fit(X, y).predict(X[:3]).shape
    (3,)
    """

    _regression = True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _encode_target(self, y):
        # Train on standardised targets: a zero-initialised head reaches targets of any
        # scale (prices in 1e5, rates in 1e-3) at the same pace; predict undoes it.
        self.n_outputs_ = y.shape[1]
        self.target_scaler_ = StandardScaler().fit(y)
        return self.target_scaler_.transform(y).astype(np.float32)

    def _encode_known_target(self, y):
        if y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {y.shape[1]} targets, but {type(self).__name__} was fitted on "
                f"{self.n_outputs_}; resume with the data given to fit."
            )
        return self.target_scaler_.transform(y).astype(np.float32)

    def _n_outputs(self, y):
        return y.shape[1]

    def predict(self, X):
        """Predicted targets.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints) or (n_cases, n_timepoints)

        Returns
        -------
        y_pred : ndarray of shape (n_cases,) or (n_cases, n_outputs_)
            1D when there is one target.
        """
        check_is_fitted(self)
        outputs = self._check_outputs_are_finite(self._forward(X)).astype(np.float64)
        outputs = self.target_scaler_.inverse_transform(outputs)
        # one target comes back 1D, as in sklearn's MLPRegressor
        return outputs[:, 0] if self.n_outputs_ == 1 else outputs
