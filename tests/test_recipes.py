"""The recipe parameter: the paper's budget by default, the fast one sized from the data,
explicit values winning over both."""

import pytest
from conftest import ENSEMBLES, TINY, make
from sklearn.base import clone, is_regressor

from inceptionsk import InceptionNetworkClassifier, InceptionTimeClassifier, LITETimeClassifier
from inceptionsk.recipes import PAPER, RECIPES, fast_budget, resolve_budget


def test_the_paper_recipe_is_the_default_and_takes_no_account_of_the_data():
    assert InceptionTimeClassifier().recipe == "paper"
    for n_cases in (1, 50, 10_000):
        assert resolve_budget("paper", n_cases) == (5, 1500, "plateau") == PAPER


@pytest.mark.parametrize("n_cases", [1, 17, 64, 65, 600, 10_000])
def test_the_fast_budget_is_a_cheaper_one_cycle_training(n_cases):
    budget = fast_budget(n_cases)
    assert budget.lr_schedule == "one_cycle"
    assert 1 <= budget.n_estimators <= PAPER.n_estimators
    assert 1 <= budget.max_epochs
    # at most a fifth of the paper's compute (networks x epochs x cases) on any data
    compute = budget.n_estimators * budget.max_epochs
    assert compute <= PAPER.n_estimators * PAPER.max_epochs / 5


def test_the_fast_rule_trains_the_papers_five_networks_where_an_epoch_is_one_batch():
    """Up to 64 cases (one batch of the paper's 64): 5 networks; above: 2; 300 epochs."""
    assert [fast_budget(n).n_estimators for n in (1, 17, 64, 65, 600)] == [5, 5, 5, 2, 2]
    assert {fast_budget(n).max_epochs for n in (1, 64, 65, 10_000)} == {300}


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
    expected = fast_budget(len(X))
    assert len(ensemble.estimators_) == expected.n_estimators
    for member in ensemble.estimators_:
        assert member.max_epochs == 2 and len(member.history_) == 2
        assert member.lr_schedule == "one_cycle"
    # the parameters stay as given (clone and get_params see None)
    assert ensemble.get_params()["n_estimators"] is None
    assert clone(ensemble).get_params()["recipe"] == "fast"


def test_a_single_network_takes_the_recipe_epochs(gunpoint):
    X, y = gunpoint[0][:10], gunpoint[1][:10]
    net = InceptionNetworkClassifier(recipe="fast", random_state=0, **TINY)
    budget = net._budget(len(X))
    assert budget == fast_budget(len(X))
    net.set_params(max_epochs=1).fit(X, y)
    assert len(net.history_) == 1
    # the schedule of the recipe: one-cycle's rate rises from lr / 25 in its first steps
    assert net.net_.optimizer_.param_groups[0]["lr"] != net.lr


def test_bad_recipes_are_refused_with_the_choices(gunpoint):
    with pytest.raises(ValueError, match="recipe"):
        make(InceptionTimeClassifier, recipe="quick").fit(gunpoint[0][:10], gunpoint[1][:10])
    assert set(RECIPES) == {"paper", "fast"}
