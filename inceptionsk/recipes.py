"""The training recipes: the paper's, and a fast one at a fifth of its compute.

An estimator's ``recipe`` parameter names one; its ``n_estimators``, ``max_epochs`` and
``lr_schedule``, left at None, take the recipe's values, resolved at ``fit`` from the
task and the number of training cases (:func:`resolve_budget`), and a value given
explicitly wins.
"""

from typing import NamedTuple

__all__ = ["FAST", "FAST_REGRESSION", "PAPER", "RECIPES", "TASKS", "Budget", "fast_budget",
           "resolve_budget"]

#: The recipes an estimator's ``recipe`` parameter takes.
RECIPES = ("paper", "fast")

#: The tasks a budget is resolved for: a classifier's or a regressor's.
TASKS = ("classification", "regression")


class Budget(NamedTuple):
    """What a recipe trains: ``n_estimators`` networks of ``max_epochs`` epochs each, with
    the learning-rate schedule ``lr_schedule`` (``"plateau"`` or ``"one_cycle"``).

    Examples
    --------
    >>> from inceptionsk.recipes import resolve_budget
    >>> resolve_budget("paper", n_cases=50)
    Budget(n_estimators=5, max_epochs=1500, lr_schedule='plateau')
    """

    n_estimators: int
    max_epochs: int
    lr_schedule: str


#: The paper's recipe (Ismail Fawaz et al. 2020): 5 networks x 1500 epochs, the rate
#: halved on a plateau of the training loss.
PAPER = Budget(n_estimators=5, max_epochs=1500, lr_schedule="plateau")


#: The fast recipe of a classifier: one network of the paper's recipe, 1/5 of its
#: training compute.
FAST = PAPER._replace(n_estimators=1)

#: The fast recipe of a regressor: 5 networks of 300 one-cycle epochs, the same 1/5.
FAST_REGRESSION = Budget(n_estimators=5, max_epochs=300, lr_schedule="one_cycle")


def fast_budget(n_cases, task="classification"):
    """The fast recipe's budget for ``n_cases`` training cases of ``task``.

    Both spend 1/5 of the paper's training compute (networks x epochs x cases), on any
    data, and differ in how:

    - a classifier trains one network of the paper's recipe (:data:`FAST`): 1500 epochs
      with the plateau schedule, the weights of the lowest training loss kept;
    - a regressor trains 5 networks of 300 epochs with the one-cycle schedule
      (:data:`FAST_REGRESSION`), their predictions averaged.

    Classifiers. Measured on the UCR development sets
    with ``inceptionsk benchmark --recipe paper --n-estimators 1`` (:doc:`/archives`),
    it scored closer to the paper's 5-network ensemble than the earlier fast rule (2 or 5
    networks of 300 one-cycle epochs, sized from ``n_cases``) on most sets, by 0.011 on
    average over all 30 (-0.0071 against -0.0185; the paper's own single networks
    -0.0076): a network trained to the paper's length generalises
    better than several trained for a fifth of it, and the paper's averaging over 5 is
    what one network gives up.

    Regressors. Squared error rewards averaging: an average's error is its members' mean
    error less their spread, and the average is less at the mercy of one seed. On
    Covid3Month (a TSER development set) single networks of the paper's recipe scored
    RMSE ratios to the published InceptionE from 0.720 to 1.206 over four seeds, and two
    draws of 5 networks of 300 one-cycle epochs averaged 0.782 and 0.804
    (:doc:`/archives` has the other sets, ``benchmarks/recipe_search.py`` the study).

    ``n_cases`` is taken so that a rule sized from the data fits the same call; the
    present rules do not use it.

    Parameters
    ----------
    n_cases : int
        The number of training cases.
    task : {"classification", "regression"}, default="classification"
        The estimator's task.

    Returns
    -------
    budget : Budget
        Networks, epochs and schedule.

    Examples
    --------
    >>> from inceptionsk.recipes import fast_budget
    >>> fast_budget(50)
    Budget(n_estimators=1, max_epochs=1500, lr_schedule='plateau')
    >>> fast_budget(600) == fast_budget(50)
    True
    >>> fast_budget(50, task="regression")
    Budget(n_estimators=5, max_epochs=300, lr_schedule='one_cycle')
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}; got {task!r}.")
    return FAST_REGRESSION if task == "regression" else FAST


def resolve_budget(recipe, n_cases, *, task="classification", n_estimators=None,
                   max_epochs=None, lr_schedule=None):
    """The budget of ``recipe`` for ``n_cases`` training cases of ``task``, with the
    values given explicitly (not None) in its place.

    Parameters
    ----------
    recipe : {"paper", "fast"}
        The recipe.
    n_cases : int
        The number of training cases.
    task : {"classification", "regression"}, default="classification"
        The estimator's task (the fast recipe's budget depends on it).
    n_estimators, max_epochs : int or None, default=None
        Networks and epochs; None takes the recipe's.
    lr_schedule : {"plateau", "one_cycle"} or None, default=None
        The schedule; None takes the recipe's.

    Returns
    -------
    budget : Budget
        The resolved budget.

    Examples
    --------
    >>> from inceptionsk.recipes import resolve_budget
    >>> resolve_budget("fast", 50, n_estimators=2, lr_schedule="one_cycle")
    Budget(n_estimators=2, max_epochs=1500, lr_schedule='one_cycle')
    """
    fast = fast_budget(n_cases, task)  # validates the task for both recipes
    budget = PAPER if recipe == "paper" else fast
    given = {"n_estimators": n_estimators, "max_epochs": max_epochs, "lr_schedule": lr_schedule}
    return budget._replace(**{name: value for name, value in given.items() if value is not None})
