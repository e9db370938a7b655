"""The InceptionTime ensembles: several networks with their own seeds, outputs averaged."""

import warnings
from numbers import Integral

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context, clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from ._validation import (
    as_cases,
    check_callbacks,
    check_classes,
    check_trainable,
    validate_series_lengths,
    validate_target,
)
from .exceptions import TrainingInterruptedWarning
from .single_network import (
    NETWORK_PARAMETER_CONSTRAINTS,
    InceptionNetworkClassifier,
    InceptionNetworkRegressor,
    _SaveMixin,
)
from .training import resolve_device

__all__ = ["InceptionTimeClassifier", "InceptionTimeRegressor"]


def _train_member(index, member, X, y):
    """Fit a new member or resume a fitted one; module level so that joblib can send it
    to a worker process. Returns ``(index, member)``: results arrive in any order."""
    with warnings.catch_warnings():
        # the ensemble reports an interrupt once, for all its members
        warnings.simplefilter("ignore", TrainingInterruptedWarning)
        if hasattr(member, "net_"):
            return index, member.resume(X, y)
        return index, member.fit(X, y)


class _InceptionTimeEnsembleBase(_SaveMixin, BaseEstimator):
    """Member seeding, parallel fitting and validation shared by both ensembles."""

    _parameter_constraints = {
        **NETWORK_PARAMETER_CONSTRAINTS,
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        # joblib's meaning: None is 1, -1 all cores, -2 all but one; 0 means nothing
        "n_jobs": [
            Interval(Integral, None, -1, closed="right"),
            Interval(Integral, 1, None, closed="left"),
            None,
        ],
    }

    def __init__(
        self, *, n_estimators=5, n_filters=32, kernel_size=40, depth=6, use_residual=True,
        use_bottleneck=True, max_epochs=1500, batch_size=64, lr=0.001, lr_schedule="plateau",
        device="auto", callbacks=None, n_jobs=None, random_state=None, verbose=0,
    ):
        self.n_estimators = n_estimators
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
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _make_members(self):
        """Clones of the member estimator, each with its own seed drawn from random_state."""
        member_params = self._member_class().get_params()
        template = self._member_class(**{name: getattr(self, name) for name in member_params})
        rng = check_random_state(self.random_state)
        seeds = rng.randint(np.iinfo(np.int32).max, size=self.n_estimators)
        return [clone(template).set_params(random_state=int(seed)) for seed in seeds]

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train ``n_estimators`` networks on X and y, in parallel with ``n_jobs``.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints) or (n_cases, n_timepoints)
            Training series; a 2D array is one channel.
        y : array-like of shape (n_cases,)
            Class labels (classifier) or targets (regressor, also (n_cases, n_outputs)).

        Returns
        -------
        self : object
            The fitted ensemble.
        """
        check_callbacks(self)
        resolve_device(self.device)  # refuse a bad device before building the members
        X, lengths = validate_series_lengths(self, X, reset=True)
        check_trainable(self, X, lengths)
        y = validate_target(y, X.shape[0], regression=self._regression)
        self._check_target(y)
        vars(self).pop("estimators_", None)
        # stacklevel: fit is wrapped by sklearn's _fit_context
        self._train_members(as_cases(X, lengths), y, [], self._make_members(), stacklevel=4)
        return self

    def resume(self, X, y):
        """Finish an interrupted ``fit``: complete the members, then train the missing ones.

        Each member with fewer than ``max_epochs`` epochs is resumed (see
        :meth:`InceptionNetworkClassifier.resume`), then the members that ``fit`` did
        not reach are trained, with the seeds that ``fit`` would have given them when
        ``random_state`` is an int. The current ``max_epochs``, ``callbacks``,
        ``verbose`` and ``n_jobs`` apply. ``fit`` itself always starts afresh, as in
        scikit-learn.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints) or (n_cases, n_timepoints)
            The training series given to ``fit``.
        y : array-like of shape (n_cases,)
            The labels (or targets) given to ``fit``.

        Returns
        -------
        self : object
            The ensemble, with ``n_estimators`` members unless interrupted again.
        """
        check_is_fitted(self, "estimators_")
        self._validate_params()
        X, lengths = validate_series_lengths(self, X, reset=False)
        y = validate_target(y, X.shape[0], regression=self._regression)
        complete = [m for m in self.estimators_ if len(m.history_) >= self.max_epochs]
        to_resume = [
            m.set_params(max_epochs=self.max_epochs, verbose=self.verbose,
                         callbacks=clone(self.callbacks, safe=False))
            for m in self.estimators_ if len(m.history_) < self.max_epochs
        ]
        seeds = {m.random_state for m in self.estimators_}
        missing = [m for m in self._make_members() if m.random_state not in seeds]
        self._train_members(
            as_cases(X, lengths), y, complete,
            to_resume + missing[:max(self.n_estimators - len(self.estimators_), 0)],
            stacklevel=3,
        )
        return self

    def _train_members(self, X, y, complete, members, stacklevel):
        """Train ``members`` with joblib and set ``estimators_``, keeping on an interrupt
        the members trained so far.

        With ``n_jobs=1`` a member interrupted by Ctrl-C returns (skorch stops its
        training) and no further member starts. With process workers, Ctrl-C reaches the
        workers and the parent; joblib then stops the workers, and the members that had
        returned before are kept.
        """
        returned = {}
        interrupted = False
        tasks = Parallel(n_jobs=self.n_jobs, return_as="generator_unordered")(
            delayed(_train_member)(index, member, X, y) for index, member in enumerate(members)
        )
        try:
            for index, member in tasks:
                returned[index] = member
                if member.interrupted_:
                    interrupted = True
                    break
        except KeyboardInterrupt:
            interrupted = True
        finally:
            with warnings.catch_warnings():
                # joblib's note that it cancels the tasks in flight: the report below
                # says what was kept
                warnings.filterwarnings("ignore", "[0-9]+ tasks which were still being")
                tasks.close()  # after a break, stops the tasks still running
        # a member to resume that did not return keeps the epochs it had
        kept = [returned.get(i, m) for i, m in enumerate(members)
                if i in returned or hasattr(m, "net_")]
        if not complete and not kept:
            vars(self).pop("estimators_", None)
            raise KeyboardInterrupt
        self.estimators_ = complete + kept
        self.interrupted_ = interrupted
        if interrupted:
            warnings.warn(self._interrupt_report(), TrainingInterruptedWarning,
                          stacklevel=stacklevel)

    def _interrupt_report(self):
        """What an interrupted fit kept: the members and the epochs of each."""
        members = [
            f"member {i} (random_state={m.random_state}) {len(m.history_)} of "
            f"{self.max_epochs} epochs" + (
                f", weights of its epoch {m._kept_epoch()}"
                if len(m.history_) < self.max_epochs else ""
            )
            for i, m in enumerate(self.estimators_)
        ]
        return (
            f"{type(self).__name__}: training interrupted. Kept {len(self.estimators_)} of "
            f"{self.n_estimators} members: {'; '.join(members)}. The ensemble is fitted "
            f"and predicts with these members. Call resume(X, y) with the same data to "
            "finish training."
        )

    def _member_outputs(self, X, method):
        """The mean over the members of ``method(X)``."""
        check_is_fitted(self, "estimators_")
        cases = as_cases(*validate_series_lengths(self, X, reset=False))
        return np.mean([getattr(member, method)(cases) for member in self.estimators_], axis=0)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags


class InceptionTimeClassifier(ClassifierMixin, _InceptionTimeEnsembleBase):
    """InceptionTime: an ensemble of Inception networks for time-series classification.

    The classifier of Ismail Fawaz et al. (2020): ``n_estimators`` networks, each
    :class:`InceptionNetworkClassifier` trained from its own random initialisation with
    the paper's recipe (Adam, 1500 epochs of batches of 64, learning rate halved on a
    training-loss plateau of 50 epochs down to 1e-4, the weights of the lowest training
    loss kept), their softmax outputs averaged with equal weights.

    Parameters
    ----------
    n_estimators : int, default=5
        Number of networks.
    n_filters : int, default=32
        Filters of each of the four branches of an Inception module.
    kernel_size : int, default=40
        Longest convolution kernel; the modules use ``kernel_size``, ``kernel_size // 2``
        and ``kernel_size // 4``, each made odd (39, 19, 9).
    depth : int, default=6
        Number of Inception modules in each network.
    use_residual : bool, default=True
        Whether every third module gets a residual shortcut.
    use_bottleneck : bool, default=True
        Whether modules reduce their input with a 1x1 convolution first.
    max_epochs : int, default=1500
        Training epochs of each network.
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
        Extra skorch callbacks given to every member's net.
    n_jobs : int, default=None
        Members trained in parallel by joblib (``None`` means 1, ``-1`` all cores);
        joblib's process workers limit their threads to ``cores // n_jobs`` each.
    random_state : int, RandomState instance or None, default=None
        Draws one seed per member. An int gives reproducible training.
    verbose : int, default=0
        0 prints nothing; 1 shows a progress bar per member and a summary line each; 2
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
    estimators_ : list of InceptionNetworkClassifier
        The fitted members; ``estimators_[i].history_`` holds a member's training curve.
    interrupted_ : bool
        Whether the last ``fit`` or ``resume`` was interrupted: ``estimators_`` may hold
        fewer than ``n_estimators`` members, the last with fewer epochs.

    See Also
    --------
    InceptionNetworkClassifier : One network of the ensemble.
    InceptionTimeRegressor : The same ensemble for regression.

    Notes
    -----
    **Input.** Series at predict must have the channels seen in fit. An ensemble fitted
    on equal-length series refuses other lengths: the networks are length-agnostic after
    their global pooling, but for 2D X the time points are scikit-learn's features, whose
    count must not change; fitted on series of unequal lengths (a list of 2D arrays), it
    scores series of any length. NaN, infinite values and
    values beyond float32 are refused with their count and position; fill gaps with
    :class:`~inceptionsk.SeriesImputer` in a Pipeline. Scoring runs in chunks of exactly
    ``batch_size`` cases, the last one padded, so memory stays bounded and a case's
    output does not depend on the other cases scored with it.

    **Interrupts.** A ``KeyboardInterrupt`` (Ctrl-C) during ``fit`` keeps the members
    trained so far, and the member being trained with its completed epochs (the weights
    of its lowest training loss); no further member starts, ``interrupted_`` is set and
    one :class:`~inceptionsk.exceptions.TrainingInterruptedWarning` names the members and
    epochs kept. The ensemble predicts with those members as is, and ``resume(X, y)``
    completes the interrupted member and trains the missing ones (with the seeds ``fit``
    would have used for an int ``random_state``). With ``n_jobs > 1`` the members train
    in joblib's worker processes: Ctrl-C in a terminal reaches them and the parent,
    joblib stops the workers, and only the members that had already returned are kept.
    An interrupt before any network completes an epoch keeps nothing and propagates.

    **Saving.** ``save(path)`` writes one file that :func:`inceptionsk.load` reads back
    without unpickling code, on the CPU by default (see :mod:`inceptionsk.persistence`);
    pickle and joblib work too.

    References
    ----------
    .. [1] H. Ismail Fawaz, B. Lucas, G. Forestier, C. Pelletier, D. F. Schmidt,
       J. Weber, G. I. Webb, L. Idoumghar, P.-A. Muller and F. Petitjean.
       "InceptionTime: Finding AlexNet for Time Series Classification". Data Mining and
       Knowledge Discovery 34, 2020.

    Examples
    --------
    >>> from inceptionsk import InceptionTimeClassifier
    >>> from inceptionsk.datasets import load_gunpoint
    >>> X_train, y_train = load_gunpoint(split="train", return_X_y=True)
    >>> clf = InceptionTimeClassifier(n_estimators=2, max_epochs=2, depth=3, random_state=0)
    >>> clf.fit(X_train, y_train).predict_proba(X_train[:2]).shape
    (2, 2)
    """

    _regression = False
    _member_class = InceptionNetworkClassifier

    def _check_target(self, y):
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        check_classes(self, self.classes_)

    def predict_proba(self, X):
        """Class probabilities: the mean of the members' softmax outputs.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints) or (n_cases, n_timepoints)

        Returns
        -------
        proba : ndarray of shape (n_cases, n_classes)
            Columns follow ``classes_``.
        """
        return self._member_outputs(X, "predict_proba")

    def predict(self, X):
        """Predicted class labels: the argmax of the averaged probabilities.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints) or (n_cases, n_timepoints)

        Returns
        -------
        y_pred : ndarray of shape (n_cases,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class InceptionTimeRegressor(RegressorMixin, _InceptionTimeEnsembleBase):
    """An ensemble of Inception networks for time-series regression.

    The classifier's ensemble with :class:`InceptionNetworkRegressor` members (a linear
    head trained on the mean squared error); the members' predictions are averaged.

    Parameters
    ----------
    n_estimators : int, default=5
        Number of networks.
    n_filters : int, default=32
        Filters of each of the four branches of an Inception module.
    kernel_size : int, default=40
        Longest convolution kernel (39, 19 and 9 for 40).
    depth : int, default=6
        Number of Inception modules in each network.
    use_residual : bool, default=True
        Whether every third module gets a residual shortcut.
    use_bottleneck : bool, default=True
        Whether modules reduce their input with a 1x1 convolution first.
    max_epochs : int, default=1500
        Training epochs of each network.
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
        Extra skorch callbacks given to every member's net.
    n_jobs : int, default=None
        Members trained in parallel by joblib (``None`` means 1, ``-1`` all cores).
    random_state : int, RandomState instance or None, default=None
        Draws one seed per member.
    verbose : int, default=0
        0 prints nothing; 1 a progress bar and a summary line per member.

    Attributes
    ----------
    n_features_in_ : int
        ``X.shape[1]`` of the X passed to fit.
    n_channels_in_ : int
        Number of channels seen in fit.
    n_timepoints_in_ : int
        Series length seen in fit.
    estimators_ : list of InceptionNetworkRegressor
        The fitted members.
    interrupted_ : bool
        Whether the last ``fit`` or ``resume`` was interrupted: ``estimators_`` may hold
        fewer than ``n_estimators`` members, the last with fewer epochs.

    See Also
    --------
    InceptionTimeClassifier : The ensemble for classification.

    Notes
    -----
    **Input.** Series at predict must have the channels seen in fit. An ensemble fitted
    on equal-length series refuses other lengths: the networks are length-agnostic after
    their global pooling, but for 2D X the time points are scikit-learn's features, whose
    count must not change; fitted on series of unequal lengths (a list of 2D arrays), it
    scores series of any length. NaN, infinite values and
    values beyond float32 are refused with their count and position; fill gaps with
    :class:`~inceptionsk.SeriesImputer` in a Pipeline. Scoring runs in chunks of exactly
    ``batch_size`` cases, the last one padded, so memory stays bounded and a case's
    output does not depend on the other cases scored with it.

    **Interrupts.** A ``KeyboardInterrupt`` (Ctrl-C) during ``fit`` keeps the members
    trained so far, and the member being trained with its completed epochs (the weights
    of its lowest training loss); no further member starts, ``interrupted_`` is set and
    one :class:`~inceptionsk.exceptions.TrainingInterruptedWarning` names the members and
    epochs kept. The ensemble predicts with those members as is, and ``resume(X, y)``
    completes the interrupted member and trains the missing ones (with the seeds ``fit``
    would have used for an int ``random_state``). With ``n_jobs > 1`` the members train
    in joblib's worker processes: Ctrl-C in a terminal reaches them and the parent,
    joblib stops the workers, and only the members that had already returned are kept.
    An interrupt before any network completes an epoch keeps nothing and propagates.

    **Saving.** ``save(path)`` writes one file that :func:`inceptionsk.load` reads back
    without unpickling code, on the CPU by default (see :mod:`inceptionsk.persistence`);
    pickle and joblib work too.

    Examples
    --------
    >>> import numpy as np
    >>> from inceptionsk import InceptionTimeRegressor
    >>> X = np.random.RandomState(0).normal(size=(20, 2, 30))
    >>> y = X.mean(axis=(1, 2))
    >>> reg = InceptionTimeRegressor(n_estimators=2, max_epochs=2, depth=3, random_state=0)
    >>> reg.fit(X, y).predict(X[:3]).shape
    (3,)
    """

    _regression = True
    _member_class = InceptionNetworkRegressor

    def _check_target(self, y):
        pass

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def predict(self, X):
        """Predicted targets: the mean of the members' predictions.

        Parameters
        ----------
        X : array-like of shape (n_cases, n_channels, n_timepoints) or (n_cases, n_timepoints)

        Returns
        -------
        y_pred : ndarray of shape (n_cases,) or (n_cases, n_outputs)
        """
        return self._member_outputs(X, "predict")
