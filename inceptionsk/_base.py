"""What every estimator of the package shares: its public ``fit`` and ``resume``.

Each validates X, y and the sample weights once, and hands the validated arrays to the
subclass's ``_fit_validated``/``_resume_validated``: one network
(:class:`~inceptionsk.single_network.NetworkEstimator`) or an ensemble
(:class:`~inceptionsk.ensemble.NetworkEnsemble`), which passes them on to its members as
they are. The task mixins (:mod:`inceptionsk._tasks`) add the predictions, and
:mod:`inceptionsk._features` the embeddings, on the same pattern.
"""

from sklearn.base import BaseEstimator, _fit_context, is_regressor
from sklearn.utils.validation import check_is_fitted

from ._docs import FIT_PARAMETERS, RESUME_PARAMETERS, fill_doc
from ._features import EmbeddingTransformerMixin
from ._validation import (
    check_callbacks,
    check_trainable,
    validate_sample_weight,
    validate_series,
    validate_target,
)
from .persistence import SaveMixin
from .recipes import resolve_budget
from .training import resolve_device, warn_if_bfloat16_is_emulated

__all__ = ["SeriesEstimator"]


class SeriesEstimator(EmbeddingTransformerMixin, SaveMixin, BaseEstimator):
    """The public training of a single network or an ensemble (see the module docstring).

    A subclass sets ``_fitted_attribute`` and defines ``_fit_validated(X, lengths, y,
    sample_weight)`` and ``_resume_validated(...)``; a task mixin defines
    ``_check_target``.
    """

    def _check_fitted(self):
        check_is_fitted(self, self._fitted_attribute)

    def _budget(self, n_cases):
        """The networks, epochs and schedule of ``recipe`` for ``n_cases`` training
        cases of this estimator's task, with the parameters that are not None in their
        place."""
        return resolve_budget(
            self.recipe, n_cases, task="regression" if is_regressor(self) else "classification",
            n_estimators=getattr(self, "n_estimators", None),
            max_epochs=self.max_epochs, lr_schedule=self.lr_schedule,
        )

    @_fit_context(prefer_skip_nested_validation=True)
    @fill_doc(parameters=FIT_PARAMETERS)
    def fit(self, X, y, sample_weight=None):
        """Train on X and y: one network, or an ensemble's ``n_estimators`` networks (in
        parallel with ``n_jobs``).

        Parameters
        ----------
        %(parameters)s

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._validate_and_fit(X, y, sample_weight)
        return self

    def _validate_and_fit(self, X, y, sample_weight, **training):
        """``fit``'s work; returns the validated X and lengths, which ``fit_transform``
        embeds without validating X again. ``training`` goes to ``_fit_validated``
        (:func:`inceptionsk.distill` and :func:`inceptionsk.fine_tune` pass theirs)."""
        self._check_device()
        warm = self._warm()
        # a warm start continues the fitted networks: X must keep the fitted layout
        X, lengths, y, sample_weight = self._validated_inputs(
            X, y, sample_weight, reset=not warm
        )
        check_trainable(self, X, lengths)
        if warm:
            self._check_warm_target(y)
        self._check_target(y)
        self._fit_validated(X, lengths, y, sample_weight, **training)
        return X, lengths

    def _check_device(self):
        """Refuse a device this machine lacks before any network is built, and warn
        where ``precision='bfloat16'`` would run emulated (and ten times as slow)."""
        device = resolve_device(self.device)
        if self.precision == "bfloat16":
            warn_if_bfloat16_is_emulated(device, type(self).__name__)

    def _warm(self):
        """Whether ``fit`` continues from the fitted state (``warm_start``)."""
        return bool(self.warm_start) and hasattr(self, self._fitted_attribute)

    def _validated_inputs(self, X, y, sample_weight, *, reset):
        """The callbacks, then X (its fitted layout recorded with ``reset``, else checked
        against it), y and the weights: validated arrays and the series' lengths."""
        check_callbacks(self)
        X, lengths = validate_series(self, X, reset=reset)
        y = validate_target(y, len(X), regression=self._regression)
        return X, lengths, y, validate_sample_weight(sample_weight, len(X))

    @fill_doc(parameters=RESUME_PARAMETERS)
    def resume(self, X, y, sample_weight=None):
        """Finish an interrupted ``fit``: train the epochs, and an ensemble's members,
        that it did not reach.

        A network continues its training (its weights, Adam's state, the learning rate
        and the history) for ``max_epochs - len(history_)`` epochs on the data given to
        ``fit``, with the current ``callbacks`` and ``verbose``; raising ``max_epochs``
        with ``set_params`` first trains that many more epochs. An ensemble resumes each
        unfinished member, then trains the members that ``fit`` did not reach, with the
        seeds ``fit`` would have given them when ``random_state`` is an int; the current
        ``n_jobs`` applies. A network that stopped early (``n_iter_no_change``) is done.
        ``fit`` itself always starts afresh, as in scikit-learn.

        Parameters
        ----------
        %(parameters)s

        Returns
        -------
        self : object
            The estimator, trained to ``max_epochs`` epochs (and ``n_estimators``
            members) unless interrupted again.

        Notes
        -----
        The resumed epochs shuffle the batches from a seed derived from
        ``random_state`` and the epochs done, so a resumed training is reproducible but
        not bitwise equal to one that was never interrupted. The weights kept at the
        end are the best among the resumed epochs (which start from the weights kept at
        the interrupt).
        """
        self._check_fitted()
        self._validate_params()
        self._check_device()
        return self._resume_validated(*self._validated_inputs(X, y, sample_weight, reset=False))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags
