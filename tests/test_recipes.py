"""The recipe parameter: the paper's budget by default, the fast one at a fifth of its
compute, explicit values winning over both."""

import pytest
from conftest import ENSEMBLES, TINY, make
from sklearn.base import clone, is_regressor

from inceptionsk import (
    InceptionNetworkClassifier,
    InceptionNetworkRegressor,
    InceptionTimeClassifier,
    InceptionTimeRegressor,
    LITETimeClassifier,
)
from inceptionsk.recipes import (
    FAST,
    FAST_REGRESSION,
    PAPER,
    RECIPES,
    TASKS,
    fast_budget,
    resolve_budget,
)


def test_the_paper_recipe_is_the_default_and_takes_no_account_of_the_data():
    assert InceptionTimeClassifier().recipe == "paper"
    for n_cases in (1, 50, 10_000):
        assert resolve_budget("paper", n_cases) == (5, 1500, "plateau") == PAPER


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("n_cases", [1, 17, 64, 65, 600, 10_000])
def test_the_fast_budget_is_a_fifth_of_the_papers_compute(n_cases, task):
    budget = fast_budget(n_cases, task)
    assert 1 <= budget.n_estimators <= PAPER.n_estimators
    assert 1 <= budget.max_epochs
    # at most a fifth of the paper's compute (networks x epochs x cases) on any data
    compute = budget.n_estimators * budget.max_epochs
    assert compute <= PAPER.n_estimators * PAPER.max_epochs / 5


def test_the_fast_rule_is_one_network_of_the_papers_recipe_on_any_data():
    assert {fast_budget(n) for n in (1, 17, 64, 65, 600, 10_000)} == {FAST}
    assert FAST == (1, 1500, "plateau")
    assert resolve_budget("fast", 50) == FAST


def test_the_fast_rule_of_a_regressor_averages_five_short_one_cycle_networks():
    n_cases = (1, 17, 64, 65, 600, 10_000)
    assert {fast_budget(n, task="regression") for n in n_cases} == {FAST_REGRESSION}
    assert FAST_REGRESSION == (5, 300, "one_cycle")
    assert resolve_budget("fast", 50, task="regression") == FAST_REGRESSION
    # the paper's recipe is the same for both tasks
    assert resolve_budget("paper", 50, task="regression") == PAPER
    assert InceptionTimeRegressor(recipe="fast")._budget(50) == FAST_REGRESSION
    assert InceptionNetworkRegressor(recipe="fast")._budget(50).max_epochs == 300


def test_an_unknown_task_is_refused_with_the_choices():
    for recipe in RECIPES:
        with pytest.raises(ValueError, match="task must be one of.*'classification'"):
            resolve_budget(recipe, 50, task="clustering")


def test_the_fast_recipe_trains_what_the_paper_recipe_trains_with_one_network(gunpoint):
    """The benchmark's ``--recipe paper --n-estimators 1`` runs measured the fast recipe:
    the same budget, the same member seed, the same predictions."""
    X, y = gunpoint[0][:20], gunpoint[1][:20]
    fast = make(InceptionTimeClassifier, recipe="fast", n_estimators=None, max_epochs=2)
    paper = make(InceptionTimeClassifier, recipe="paper", n_estimators=1, max_epochs=2)
    fast.fit(X, y), paper.fit(X, y)
    ((member,), (paper_member,)) = fast.estimators_, paper.estimators_
    assert member.random_state == paper_member.random_state
    assert member.lr_schedule == paper_member.lr_schedule == "plateau"
    assert (fast.predict_proba(gunpoint[2]) == paper.predict_proba(gunpoint[2])).all()


def test_explicit_values_win_over_the_recipe():
    budget = resolve_budget("fast", 50, n_estimators=7, max_epochs=3, lr_schedule="plateau")
    assert budget == (7, 3, "plateau")
    assert resolve_budget("paper", 50, max_epochs=10) == (5, 10, "plateau")


@pytest.mark.parametrize("cls", ENSEMBLES + [LITETimeClassifier])
def test_an_ensemble_trains_the_members_and_schedule_of_its_recipe(cls, gunpoint):
    X, y = gunpoint[0][:20], gunpoint[1][:20]
    if is_regressor(cls()):
        y = (y == y[0]).astype(float)
    ensemble = make(cls, recipe="fast", n_estimators=None, max_epochs=2).fit(X, y)
    expected = fast_budget(len(X), "regression" if is_regressor(cls()) else "classification")
    assert len(ensemble.estimators_) == expected.n_estimators
    for member in ensemble.estimators_:
        assert member.max_epochs == 2 and len(member.history_) == 2
        assert member.lr_schedule == expected.lr_schedule
    # the parameters stay as given (clone and get_params see None)
    assert ensemble.get_params()["n_estimators"] is None
    assert clone(ensemble).get_params()["recipe"] == "fast"


def test_a_single_network_takes_the_recipe_epochs(gunpoint):
    X, y = gunpoint[0][:10], gunpoint[1][:10]
    net = InceptionNetworkClassifier(recipe="fast", random_state=0, **TINY)
    budget = net._budget(len(X))
    assert budget == fast_budget(len(X))
    assert budget.max_epochs == FAST.max_epochs
    net.set_params(max_epochs=1).fit(X, y)
    assert len(net.history_) == 1
    # the schedule of the recipe: the plateau's rate stays at lr for its first 50 epochs,
    # where one cycle's would have risen from lr / 25 in its first steps
    assert net.net_.optimizer_.param_groups[0]["lr"] == net.lr
    one_cycle = clone(net).set_params(lr_schedule="one_cycle").fit(X, y)
    assert one_cycle.net_.optimizer_.param_groups[0]["lr"] != net.lr


def test_bad_recipes_are_refused_with_the_choices(gunpoint):
    with pytest.raises(ValueError, match="recipe"):
        make(InceptionTimeClassifier, recipe="quick").fit(gunpoint[0][:10], gunpoint[1][:10])
    assert set(RECIPES) == {"paper", "fast"}
