"""The ensembles: several networks with their own seeds, their predictions averaged.

:class:`NetworkEnsemble` (its ``fit`` validates X and y once: :mod:`inceptionsk._base`) makes
its members (single-network
estimators, ``_member_class``) from its own parameters with one seed each, as
scikit-learn's ``BaggingClassifier`` does, trains them with joblib on the validated
arrays, and averages what they predict (and their activation maps; their embeddings
it puts side by side). An interrupt keeps the members trained so far, and so does a
worker process that dies (:class:`~inceptionsk.WorkerDiedError`).
"""

import contextlib
import os
import select
import shutil
import tempfile
import threading
import warnings

import numpy as np
from joblib import Parallel, delayed
from joblib.externals.loky.process_executor import TerminatedWorkerError
from sklearn.base import clone
from sklearn.utils import check_random_state

from ._base import SeriesEstimator
from ._validation import copy_layout
from .exceptions import TrainingInterruptedWarning, WorkerDiedError, find_stack_level

__all__ = ["NetworkEnsemble"]

try:  # Dask's error for a task whose workers died more often than it allows
    from distributed.scheduler import KilledWorker
except ImportError:  # distributed is optional
    KilledWorker = TerminatedWorkerError
_WORKER_DIED = (TerminatedWorkerError, KilledWorker)


def _train_member(index, member, X, lengths, y, sample_weight, watch_folder=None):
    """Fit a new member or resume a fitted one; module level so that joblib can send it
    to a worker process. Returns ``(index, member)``: results arrive in any order.

    In ``watch_folder`` (see :class:`_WorkerWatch`) it first leaves an empty file named
    after the member and its process."""
    if watch_folder is not None:
        # a worker on another machine has no such folder: it then trains unwatched
        with contextlib.suppress(OSError):
            open(os.path.join(watch_folder, f"{index}.{os.getpid()}"), "x").close()
    with warnings.catch_warnings():
        # the ensemble reports an interrupt once, for all its members
        warnings.simplefilter("ignore", TrainingInterruptedWarning)
        if hasattr(member, "net_"):
            return index, member._resume_validated(X, lengths, y, sample_weight)
        return index, member._fit_validated(X, lengths, y, sample_weight)


class _WorkerWatch:
    """Which member a worker process was training when it died.

    joblib's process pool (loky) says that a worker died, not which task it ran, and
    then stops every other worker. Each task leaves ``<index>.<pid>`` in :attr:`folder`
    as it starts; a thread of this process waits on those processes (Linux's pidfd,
    woken as each exits) and records the order in which they die. The first to die is
    the one that broke the pool; loky stops the others after it. Where pidfds are
    missing (not Linux), :meth:`culprits` gives every member in flight.
    """

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="inceptionsk-workers-")
        self._dead = []  # pids in the order they died
        self._stop = threading.Event()
        self._thread = None
        if hasattr(os, "pidfd_open"):
            self._thread = threading.Thread(target=self._watch, daemon=True)
            self._thread.start()

    def _watch(self):
        poller, watched = select.poll(), {}  # pidfd -> pid
        while not self._stop.is_set():
            for pid in {int(name.split(".")[1]) for name in os.listdir(self.folder)}:
                if pid in watched.values() or pid in self._dead or pid == os.getpid():
                    continue
                try:
                    handle = os.pidfd_open(pid)
                except OSError:  # gone already
                    self._dead.append(pid)
                    continue
                watched[handle] = pid
                poller.register(handle, select.POLLIN)
            for handle, _ in poller.poll(50):  # readable: the process has exited
                self._dead.append(watched.pop(handle))
                poller.unregister(handle)
                os.close(handle)
        for handle in watched:
            os.close(handle)

    def culprits(self, returned):
        """The indices of the members (not in ``returned``) whose worker died first."""
        started = [name.split(".") for name in os.listdir(self.folder)]
        in_flight = {int(index): int(pid) for index, pid in started
                     if int(index) not in returned}
        self.close()
        first = next((pid for pid in self._dead if pid in in_flight.values()), None)
        return sorted(i for i, pid in in_flight.items() if first in (None, pid))

    def close(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        shutil.rmtree(self.folder, ignore_errors=True)


class NetworkEnsemble(SeriesEstimator):
    """Member seeding, parallel training and averaging (see the module docstring)."""

    _fitted_attribute = "estimators_"

    def _make_members(self, budget):
        """Members with this ensemble's parameters, the epochs and schedule of ``budget``
        and the fitted layout, each with its own seed drawn from random_state."""
        member_params = self._member_class._get_param_names()
        template = self._member_class(**{name: getattr(self, name) for name in member_params})
        template.set_params(max_epochs=budget.max_epochs, lr_schedule=budget.lr_schedule)
        rng = check_random_state(self.random_state)
        seeds = rng.randint(np.iinfo(np.int32).max, size=budget.n_estimators)
        members = []
        for seed in seeds:
            member = clone(template).set_params(random_state=int(seed))
            copy_layout(self, member)  # clone copies parameters only
            members.append(member)
        return members

    def _fit_validated(self, X, lengths, y, sample_weight):
        """Train new members on the validated arrays (with ``warm_start``, only those
        beyond the fitted ones)."""
        if self._warm():
            return self._warm_start_validated(X, lengths, y, sample_weight)
        vars(self).pop("estimators_", None)
        budget = self._budget(len(X))
        self._train_members((X, lengths, y, sample_weight), [], self._make_members(budget),
                            budget.n_estimators)
        return self

    def _warm_start_validated(self, X, lengths, y, sample_weight):
        """Keep the fitted members and train the new ones, with the seeds of a fresh fit
        of ``n_estimators`` members (scikit-learn's ``BaggingClassifier``)."""
        budget = self._budget(len(X))
        n_more = budget.n_estimators - len(self.estimators_)
        if n_more < 0:
            raise ValueError(
                f"n_estimators={budget.n_estimators} must be larger or equal to "
                f"len(estimators_)={len(self.estimators_)} when warm_start==True. Raise "
                "n_estimators to add members, or set warm_start=False to train afresh."
            )
        if n_more == 0:
            warnings.warn(
                "Warm-start fitting without increasing n_estimators does not fit new "
                "members.", UserWarning, stacklevel=find_stack_level(),
            )
            return self
        new = self._make_members(budget)[len(self.estimators_):]
        self._train_members((X, lengths, y, sample_weight), list(self.estimators_), new,
                            budget.n_estimators)
        return self

    def _resume_validated(self, X, lengths, y, sample_weight):
        """Resume the unfinished members, then train the missing ones."""
        budget = self._budget(len(X))
        done = [m._stopped_early() or len(m.history_) >= budget.max_epochs
                for m in self.estimators_]
        complete = [m for m, finished in zip(self.estimators_, done, strict=True) if finished]
        to_resume = [
            m.set_params(max_epochs=budget.max_epochs, verbose=self.verbose,
                         callbacks=clone(self.callbacks, safe=False))
            for m, finished in zip(self.estimators_, done, strict=True) if not finished
        ]
        seeds = {m.random_state for m in self.estimators_}
        missing = [m for m in self._make_members(budget) if m.random_state not in seeds]
        self._train_members(
            (X, lengths, y, sample_weight), complete,
            to_resume + missing[:max(budget.n_estimators - len(self.estimators_), 0)],
            budget.n_estimators,
        )
        return self

    def _train_members(self, data, complete, members, n_members):
        """Train ``members`` on ``data`` (validated X, lengths, y, sample_weight) with
        joblib and set ``estimators_`` (``n_members`` in all, with ``complete``), keeping on
        an interrupt the members trained so far.

        With ``n_jobs=1`` a member interrupted by Ctrl-C returns (skorch stops its
        training) and no further member starts. With process workers, Ctrl-C reaches the
        workers and the parent; joblib then stops the workers, and the members that had
        returned before are kept. A worker that dies (killed, out of memory) raises a
        WorkerDiedError after keeping, in the same way, the members that had returned.
        """
        returned = {}
        interrupted = False
        died = None
        watch = _WorkerWatch() if self.n_jobs not in (None, 1) else None
        tasks = Parallel(n_jobs=self.n_jobs, return_as="generator_unordered")(
            delayed(_train_member)(index, member, *data, watch and watch.folder)
            for index, member in enumerate(members)
        )
        try:
            for index, member in tasks:
                returned[index] = member
                if member.interrupted_:
                    interrupted = True
                    break
        except KeyboardInterrupt:
            interrupted = True
        except _WORKER_DIED as exc:
            interrupted = True
            died = (exc, watch.culprits(returned) if watch else [])
        finally:
            if watch is not None:
                watch.close()
            with warnings.catch_warnings():
                # joblib's note that it cancels the tasks in flight (after "N tasks have
                # been successfully executed but not used" when some had finished unseen):
                # the report below says what was kept
                warnings.filterwarnings("ignore", r"(?s).*tasks which were still being")
                tasks.close()  # after a break, stops the tasks still running
        # a member to resume that did not return keeps the epochs it had
        kept = [returned.get(i, m) for i, m in enumerate(members)
                if i in returned or hasattr(m, "net_")]
        if not complete and not kept:
            vars(self).pop("estimators_", None)
            if died:
                raise self._worker_died(complete, members, *died, n_members) from died[0]
            raise KeyboardInterrupt
        self.estimators_ = complete + kept
        self.interrupted_ = interrupted
        if died:
            raise self._worker_died(complete, members, *died, n_members) from died[0]
        if interrupted:
            warnings.warn(self._interrupt_report(n_members), TrainingInterruptedWarning,
                          stacklevel=find_stack_level())

    def _worker_died(self, complete, members, exc, culprits, n_members):
        """The WorkerDiedError for a worker that died while it trained ``culprits`` (of
        ``members``, which come after ``complete`` in the ensemble)."""
        named = " or ".join(
            f"member {len(complete) + i} (random_state={members[i].random_state})"
            for i in culprits
        ) or "a member"
        reason = " ".join(line.strip() for line in str(exc).strip().splitlines())
        kept = (
            f"The ensemble kept the {len(self.estimators_)} of {n_members} members "
            "that had finished (interrupted_ is True): call resume(X, y) with the same "
            "data to train the rest."
            if hasattr(self, "estimators_") else
            "No member had finished: the ensemble is not fitted."
        )
        return WorkerDiedError(
            f"{type(self).__name__}: a worker process died while it trained {named} "
            f"({type(exc).__name__}: {reason}). A process "
            "killed by the system often ran out of memory: use fewer n_jobs, smaller "
            f"batch_size or n_filters. {kept}"
        )

    def _interrupt_report(self, n_members):
        """What an interrupted fit kept: the members and the epochs of each."""
        members = [
            f"member {i} (random_state={m.random_state}) {len(m.history_)} of "
            f"{m.max_epochs} epochs" + (
                " (stopped early)" if m._stopped_early()
                else f", weights of its epoch {m._kept_epoch()}"
                if len(m.history_) < m.max_epochs else ""
            )
            for i, m in enumerate(self.estimators_)
        ]
        return (
            f"{type(self).__name__}: training interrupted. Kept {len(self.estimators_)} of "
            f"{n_members} members: {'; '.join(members)}. The ensemble is fitted "
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

