"""The ensembles: several networks with their own seeds, their predictions averaged.

:class:`NetworkEnsemble` validates X and y once, makes its members (single-network
estimators, ``_member_class``) from its own parameters with one seed each, as
scikit-learn's ``BaggingClassifier`` does, trains them with joblib on the validated
arrays, and averages what they predict (and their activation maps; their embeddings
it puts side by side). An interrupt keeps the members trained so far.
"""

import warnings

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._docs import FIT_PARAMETERS, RESUME_PARAMETERS, fill_doc
from ._features import EmbeddingTransformerMixin
from ._validation import (
    check_callbacks,
    check_trainable,
    copy_layout,
    validate_sample_weight,
    validate_series,
    validate_target,
)
from .exceptions import TrainingInterruptedWarning, find_stack_level
from .persistence import SaveMixin
from .training import resolve_device

__all__ = ["NetworkEnsemble"]


def _train_member(index, member, X, lengths, y, sample_weight):
    """Fit a new member or resume a fitted one; module level so that joblib can send it
    to a worker process. Returns ``(index, member)``: results arrive in any order."""
    with warnings.catch_warnings():
        # the ensemble reports an interrupt once, for all its members
        warnings.simplefilter("ignore", TrainingInterruptedWarning)
        if hasattr(member, "net_"):
            return index, member._resume_validated(X, lengths, y, sample_weight)
        return index, member._fit_validated(X, lengths, y, sample_weight)


class NetworkEnsemble(EmbeddingTransformerMixin, SaveMixin, BaseEstimator):
    """Member seeding, parallel training and averaging (see the module docstring)."""

    _fitted_attribute = "estimators_"

    def _check_fitted(self):
        check_is_fitted(self, self._fitted_attribute)

    def _make_members(self):
        """Members with this ensemble's parameters and fitted layout, each with its own
        seed drawn from random_state."""
        member_params = self._member_class._get_param_names()
        template = self._member_class(**{name: getattr(self, name) for name in member_params})
        rng = check_random_state(self.random_state)
        seeds = rng.randint(np.iinfo(np.int32).max, size=self.n_estimators)
        members = []
        for seed in seeds:
            member = clone(template).set_params(random_state=int(seed))
            copy_layout(self, member)  # clone copies parameters only
            members.append(member)
        return members

    @_fit_context(prefer_skip_nested_validation=True)
    @fill_doc(parameters=FIT_PARAMETERS)
    def fit(self, X, y, sample_weight=None):
        """Train ``n_estimators`` networks on X and y, in parallel with ``n_jobs``.

        Parameters
        ----------
        %(parameters)s

        Returns
        -------
        self : object
            The fitted ensemble.
        """
        self._validate_and_fit(X, y, sample_weight)
        return self

    def _validate_and_fit(self, X, y, sample_weight):
        """``fit``'s work; returns the validated X and lengths, which ``fit_transform``
        embeds without validating X again."""
        check_callbacks(self)
        resolve_device(self.device)  # refuse a bad device before building the members
        X, lengths = validate_series(self, X, reset=True)
        check_trainable(self, X, lengths)
        y = validate_target(y, len(X), regression=self._regression)
        sample_weight = validate_sample_weight(sample_weight, len(X))
        self._check_target(y)
        vars(self).pop("estimators_", None)
        self._train_members((X, lengths, y, sample_weight), [], self._make_members())
        return X, lengths

    @fill_doc(parameters=RESUME_PARAMETERS)
    def resume(self, X, y, sample_weight=None):
        """Finish an interrupted ``fit``: complete the members, then train the missing ones.

        Each member with fewer than ``max_epochs`` epochs is resumed (see the members'
        ``resume``), then the members that ``fit`` did not reach are trained, with the
        seeds that ``fit`` would have given them when ``random_state`` is an int. The
        current ``max_epochs``, ``callbacks``, ``verbose`` and ``n_jobs`` apply; a member
        that stopped early (``n_iter_no_change``) is complete. ``fit`` itself always
        starts afresh, as in scikit-learn.

        Parameters
        ----------
        %(parameters)s

        Returns
        -------
        self : object
            The ensemble, with ``n_estimators`` members unless interrupted again.
        """
        self._check_fitted()
        self._validate_params()
        check_callbacks(self)
        X, lengths = validate_series(self, X, reset=False)
        y = validate_target(y, len(X), regression=self._regression)
        sample_weight = validate_sample_weight(sample_weight, len(X))
        done = [m._stopped_early() or len(m.history_) >= self.max_epochs
                for m in self.estimators_]
        complete = [m for m, finished in zip(self.estimators_, done, strict=True) if finished]
        to_resume = [
            m.set_params(max_epochs=self.max_epochs, verbose=self.verbose,
                         callbacks=clone(self.callbacks, safe=False))
            for m, finished in zip(self.estimators_, done, strict=True) if not finished
        ]
        seeds = {m.random_state for m in self.estimators_}
        missing = [m for m in self._make_members() if m.random_state not in seeds]
        self._train_members(
            (X, lengths, y, sample_weight), complete,
            to_resume + missing[:max(self.n_estimators - len(self.estimators_), 0)],
        )
        return self

    def _train_members(self, data, complete, members):
        """Train ``members`` on ``data`` (validated X, lengths, y, sample_weight) with
        joblib and set ``estimators_``, keeping on an interrupt the members trained so far.

        With ``n_jobs=1`` a member interrupted by Ctrl-C returns (skorch stops its
        training) and no further member starts. With process workers, Ctrl-C reaches the
        workers and the parent; joblib then stops the workers, and the members that had
        returned before are kept.
        """
        returned = {}
        interrupted = False
        tasks = Parallel(n_jobs=self.n_jobs, return_as="generator_unordered")(
            delayed(_train_member)(index, member, *data) for index, member in enumerate(members)
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
                          stacklevel=find_stack_level())

    def _interrupt_report(self):
        """What an interrupted fit kept: the members and the epochs of each."""
        members = [
            f"member {i} (random_state={m.random_state}) {len(m.history_)} of "
            f"{self.max_epochs} epochs" + (
                " (stopped early)" if m._stopped_early()
                else f", weights of its epoch {m._kept_epoch()}"
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

    def _predict_validated(self, X, lengths):
        """The mean of the members' predictions (probabilities or targets)."""
        return np.mean([m._predict_validated(X, lengths) for m in self.estimators_], axis=0)

    def _embed_validated(self, X, lengths):
        """The members' embeddings side by side, member 0's first."""
        return np.concatenate([m._embed_validated(X, lengths) for m in self.estimators_], axis=1)

    def _cam_validated(self, X, lengths):
        """The mean of the members' activation maps."""
        return sum(m._cam_validated(X, lengths) for m in self.estimators_) / len(self.estimators_)

    @property
    def _n_features_out(self):
        """Features of ``transform``: the members' together."""
        return sum(m._n_features_out for m in self.estimators_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags
