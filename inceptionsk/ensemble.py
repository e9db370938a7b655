"""The ensembles: several networks with their own seeds, their predictions averaged.

:class:`NetworkEnsemble` (its ``fit`` validates X and y once: :mod:`inceptionsk._base`) makes
its members (single-network
estimators, ``_member_class``) from its own parameters with one seed each, as
scikit-learn's ``BaggingClassifier`` does, trains them with joblib on the validated
arrays, and averages what they predict (and their activation maps; their embeddings
it puts side by side). An interrupt keeps the members trained so far.
"""

import warnings

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.utils import check_random_state

from ._base import SeriesEstimator
from ._validation import copy_layout
from .exceptions import TrainingInterruptedWarning, find_stack_level

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


class NetworkEnsemble(SeriesEstimator):
    """Member seeding, parallel training and averaging (see the module docstring)."""

    _fitted_attribute = "estimators_"

    def _make_members(self):
        """Members with this ensemble's parameters and fitted layout, each with its own
        seed drawn from random_state."""
        member_params = self._member_class._get_param_names()
        template = self._member_class(**{name: getattr(self, name) for name in member_params})
        rng = check_random_state(self.random_state)
        seeds = rng.randint(np.iinfo(np.int32).max, size=self._n_members())
        members = []
        for seed in seeds:
            member = clone(template).set_params(random_state=int(seed))
            copy_layout(self, member)  # clone copies parameters only
            members.append(member)
        return members

    def _n_members(self):
        """The number of members the ensemble is to have: what ``fit``, ``resume`` and a
        warm start read."""
        return self.n_estimators

    def _fit_validated(self, X, lengths, y, sample_weight):
        """Train new members on the validated arrays (with ``warm_start``, only those
        beyond the fitted ones)."""
        if self._warm():
            return self._warm_start_validated(X, lengths, y, sample_weight)
        vars(self).pop("estimators_", None)
        self._train_members((X, lengths, y, sample_weight), [], self._make_members())
        return self

    def _warm_start_validated(self, X, lengths, y, sample_weight):
        """Keep the fitted members and train the new ones, with the seeds of a fresh fit
        of ``n_estimators`` members (scikit-learn's ``BaggingClassifier``)."""
        n_more = self._n_members() - len(self.estimators_)
        if n_more < 0:
            raise ValueError(
                f"n_estimators={self._n_members()} must be larger or equal to "
                f"len(estimators_)={len(self.estimators_)} when warm_start==True. Raise "
                "n_estimators to add members, or set warm_start=False to train afresh."
            )
        if n_more == 0:
            warnings.warn(
                "Warm-start fitting without increasing n_estimators does not fit new "
                "members.", UserWarning, stacklevel=find_stack_level(),
            )
            return self
        new = self._make_members()[len(self.estimators_):]
        self._train_members((X, lengths, y, sample_weight), list(self.estimators_), new)
        return self

    def _resume_validated(self, X, lengths, y, sample_weight):
        """Resume the unfinished members, then train the missing ones."""
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
            to_resume + missing[:max(self._n_members() - len(self.estimators_), 0)],
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
            f"{self._n_members()} members: {'; '.join(members)}. The ensemble is fitted "
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

