"""The training recipes: the paper's, and a fast one sized from the data.

An estimator's ``recipe`` parameter names one; its ``n_estimators``, ``max_epochs`` and
``lr_schedule``, left at None, take the recipe's values, resolved at ``fit`` from the
number of training cases (:func:`resolve_budget`), and a value given explicitly wins.
"""

from typing import NamedTuple

__all__ = ["RECIPES", "Budget", "fast_budget", "resolve_budget"]

#: The recipes an estimator's ``recipe`` parameter takes.
RECIPES = ("paper", "fast")


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


#: The fast recipe's epochs per network, with the one-cycle schedule.
FAST_EPOCHS = 300

#: Up to this many training cases an epoch is one batch of the paper's 64, and the fast
#: recipe trains 5 networks rather than 2.
FAST_SMALL_CASES = 64


def fast_budget(n_cases):
    """The fast recipe's budget for ``n_cases`` training cases.

    Every network trains 300 epochs with the one-cycle schedule. Up to 64 training cases
    (one batch of the paper's 64 an epoch, so only 300 optimizer steps a network) the
    recipe trains the paper's 5 networks, whose average steadies the few test cases such
    sets tend to have; above, 2. That is 1/5 of the paper's training compute (networks x
    epochs x cases) up to 64 cases and 2/25 above, on any data. On the 10 smallest UCR
    development sets, 5 networks of this recipe were never worse than 2 on average over
    seeds (``benchmarks/results/recipe_search/``, :doc:`/archives`).

    Parameters
    ----------
    n_cases : int
        The number of training cases.

    Returns
    -------
    budget : Budget
        Networks, epochs and schedule.

    Examples
    --------
    >>> from inceptionsk.recipes import fast_budget
    >>> fast_budget(50)
    Budget(n_estimators=5, max_epochs=300, lr_schedule='one_cycle')
    >>> fast_budget(600)
    Budget(n_estimators=2, max_epochs=300, lr_schedule='one_cycle')
    """
    n_estimators = PAPER.n_estimators if n_cases <= FAST_SMALL_CASES else 2
    return Budget(n_estimators=n_estimators, max_epochs=FAST_EPOCHS, lr_schedule="one_cycle")


def resolve_budget(recipe, n_cases, *, n_estimators=None, max_epochs=None, lr_schedule=None):
    """The budget of ``recipe`` for ``n_cases`` training cases, with the values given
    explicitly (not None) in its place.

    Parameters
    ----------
    recipe : {"paper", "fast"}
        The recipe.
    n_cases : int
        The number of training cases.
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
    >>> resolve_budget("fast", 50, n_estimators=5)
    Budget(n_estimators=5, max_epochs=300, lr_schedule='one_cycle')
    """
    budget = PAPER if recipe == "paper" else fast_budget(n_cases)
    given = {"n_estimators": n_estimators, "max_epochs": max_epochs, "lr_schedule": lr_schedule}
    return budget._replace(**{name: value for name, value in given.items() if value is not None})
