"""Estimators that train one InceptionTime network: the members of the ensembles."""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from ._validation import validate_series_lengths, validate_target
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
    "lr": [Interval(Real, 0, None, closed="neither")],
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


class _InceptionNetworkBase(BaseEstimator):
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
        X, lengths = validate_series_lengths(self, X, reset=True)
        if X.shape[0] < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 cases to train, got 1 sample."
            )
        y = self._encode_target(validate_target(y, X.shape[0], regression=self._regression))
        device = resolve_device(self.device)
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        shortest = X.shape[-1] if lengths is None else int(lengths.min())
        self.net_ = build_net(
            regression=self._regression,
            n_channels=X.shape[1],
            n_outputs=self._n_outputs(y),
            n_filters=self.n_filters,
            kernel_size=self.kernel_size,
            depth=self.depth,
            use_residual=self.use_residual,
            use_bottleneck=self.use_bottleneck,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            lr=self.lr,
            lr_schedule=self.lr_schedule,
            n_cases=X.shape[0],
            device=device,
            callbacks=self.callbacks,
            verbose=self.verbose,
            desc=f"{type(self).__name__}(random_state={seed})",
            drop_last=bool(shortest == 1 and X.shape[0] % self.batch_size == 1),
        )
        # skorch passes a dict's entries to the module's forward as keyword arguments
        inputs = X if lengths is None else {"x": X, "lengths": lengths}
        with seeded(seed), Timer() as timer:
            self.net_.fit(inputs, y)
        if self.verbose:
            print(f"{type(self).__name__}(seed={seed}): "
                  f"{summarize_history(self.net_.history, timer.elapsed)}")
        return self

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

        CPU kernels choose their algorithm by batch size, so a case scored alone and in
        a batch can differ by ~1e-7. Scoring always runs on chunks of exactly
        ``batch_size`` cases (the last one padded with zeros), so a case's output
        depends on nothing but the case itself.
        """
        check_is_fitted(self, "net_")
        X, lengths = validate_series_lengths(self, X, reset=False)
        module = self.net_.module_
        module.eval()
        device = self.net_.device
        size = self.batch_size
        outputs = []
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
                logits = module(chunk.to(device), lengths=chunk_lengths)
                outputs.append(logits[:n_real].float().cpu())
        return torch.cat(outputs).numpy()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.non_deterministic = False
        return tags


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

    See Also
    --------
    InceptionTimeClassifier : The paper's ensemble of these networks.

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
        if len(self.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 classes to train, but y has 1 "
                f"class ({self.classes_[0]!r})."
            )
        return encoded.astype(np.int64)

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
        logits = self._forward(X).astype(np.float64)
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

    See Also
    --------
    InceptionTimeRegressor : The ensemble of these networks.

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
        outputs = self.target_scaler_.inverse_transform(self._forward(X).astype(np.float64))
        # one target comes back 1D, as in sklearn's MLPRegressor
        return outputs[:, 0] if self.n_outputs_ == 1 else outputs
