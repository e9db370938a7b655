"""Tests of the optional plots: training curves, confusion matrix, activation maps, accuracy
vs paper."""

import sys

import numpy as np
import pytest
from conftest import SMALL, make

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from inceptionsk import (  # noqa: E402
    InceptionNetworkClassifier,
    InceptionTimeClassifier,
    SeriesStandardScaler,
)
from inceptionsk.plotting import (  # noqa: E402
    plot_accuracy_vs_paper,
    plot_activation_map,
    plot_confusion_matrix,
    plot_training_curves,
)


@pytest.fixture(scope="module")
def ensemble(gunpoint):
    X_train, y_train, _, _ = gunpoint
    return make(InceptionTimeClassifier, SMALL, n_estimators=2, max_epochs=3).fit(X_train, y_train)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_training_curves_draw_each_members_loss_and_learning_rate(ensemble):
    ax = plot_training_curves(ensemble)
    lines = ax.get_lines()
    assert len(lines) == 2
    for line, member in zip(lines, ensemble.estimators_, strict=True):
        np.testing.assert_allclose(line.get_ydata(), member.history_[:, "train_loss"])
        np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3])
    lr_axes = ax.figure.axes[-1]
    assert lr_axes is not ax and lr_axes.get_yscale() == "log"
    np.testing.assert_allclose(lr_axes.get_lines()[0].get_ydata(), [0.001] * 3)
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["network 0",
                                                                        "network 1"]


def test_training_curves_draw_per_batch_learning_rates_of_one_cycle(gunpoint):
    X_train, y_train, _, _ = gunpoint
    network = make(InceptionNetworkClassifier, SMALL, max_epochs=3, lr_schedule="one_cycle")
    network.fit(X_train, y_train)
    ax = plot_training_curves(network)
    positions, rates = ax.figure.axes[-1].get_lines()[0].get_data()
    # 50 cases in batches of 16: 4 batches per epoch, 3 epochs
    np.testing.assert_allclose(positions[:4], [0.25, 0.5, 0.75, 1.0])
    assert len(rates) == 12 and rates.max() > 0.001 > rates[-1]


def test_training_curves_draw_validation_loss_and_accuracy(gunpoint):
    """With a validation split: the validation loss dotted beside the training loss, the
    validation accuracy on a panel below, the learning rate on the twin axes of the
    losses, and members that stopped early at their own epochs."""
    X_train, y_train, _, _ = gunpoint
    ensemble = make(
        InceptionTimeClassifier, SMALL, n_estimators=2, max_epochs=40, lr=0.05, depth=1,
        validation_fraction=0.2, n_iter_no_change=2,
    ).fit(X_train, y_train)
    lengths = [len(member.history_) for member in ensemble.estimators_]
    assert min(lengths) < 40  # early stopping: the curves end where each member stopped
    ax = plot_training_curves(ensemble)
    lines = ax.get_lines()
    assert len(lines) == 4 and ax.get_ylabel() == "loss (dotted: validation)"
    for index, member in enumerate(ensemble.estimators_):
        train, valid = lines[2 * index], lines[2 * index + 1]
        np.testing.assert_allclose(train.get_ydata(), member.history_[:, "train_loss"])
        np.testing.assert_allclose(valid.get_ydata(), member.history_[:, "valid_loss"])
        assert valid.get_linestyle() == ":" and valid.get_color() == train.get_color()
        assert len(valid.get_xdata()) == lengths[index]
    accuracy_axes, = [a for a in ax.figure.axes if a.get_ylabel() == "validation accuracy"]
    for line, member in zip(accuracy_axes.get_lines(), ensemble.estimators_, strict=True):
        np.testing.assert_allclose(line.get_ydata(), member.history_[:, "valid_acc"])
    assert accuracy_axes.get_xlabel() == "epoch" and ax.get_xlabel() == ""
    # the panels stack: accuracy below the losses, the rates' twin axes over the losses
    ax.figure.canvas.draw()
    lr_axes = ax.figure.axes[-1]
    assert lr_axes.get_yscale() == "log"
    loss_box, accuracy_box = ax.get_position(), accuracy_axes.get_position()
    assert accuracy_box.y1 <= loss_box.y0
    np.testing.assert_allclose(lr_axes.get_position().bounds, loss_box.bounds)


def test_training_curves_without_learning_rate_on_a_given_axes(ensemble):
    _, ax = plt.subplots()
    assert plot_training_curves(ensemble, ax=ax, show_lr=False) is ax
    assert len(ax.figure.axes) == 1


def test_training_curves_find_the_networks_in_a_pipeline_or_a_search(gunpoint):
    X_train, y_train, _, _ = gunpoint
    network = make(InceptionNetworkClassifier, SMALL, max_epochs=3)
    pipeline = make_pipeline(SeriesStandardScaler(), network).fit(X_train, y_train)
    assert len(plot_training_curves(pipeline).get_lines()) == 1
    search = GridSearchCV(make(InceptionTimeClassifier, SMALL), {"max_epochs": [1, 2]},
                          cv=2).fit(X_train, y_train)
    ax = plot_training_curves(search)
    assert len(ax.get_lines()[0].get_xdata()) == search.best_params_["max_epochs"]


def test_training_curves_need_a_fitted_inception_estimator():
    with pytest.raises(ValueError, match="SeriesStandardScaler has no training history"):
        plot_training_curves(SeriesStandardScaler())


def test_confusion_matrix(ensemble, gunpoint):
    _, _, X_test, y_test = gunpoint
    display = plot_confusion_matrix(ensemble, X_test, y_test)
    matrix = display.confusion_matrix
    assert matrix.shape == (2, 2) and matrix.sum() == 150
    accuracy = np.mean(ensemble.predict(X_test) == y_test)
    assert display.ax_.get_title() == f"Confusion matrix (accuracy {accuracy:.3f})"
    normalized = plot_confusion_matrix(ensemble, X_test, y_test, normalize="true")
    np.testing.assert_allclose(normalized.confusion_matrix.sum(axis=1), 1)
    assert normalized.ax_.get_title() == display.ax_.get_title()


def test_accuracy_vs_paper():
    ax = plot_accuracy_vs_paper([0.9, 0.97, 1.0, 0.5], [1.0, 0.965, 1.0, np.nan],
                                ["GunPoint", "ItalyPowerDemand", "BasicMotions", "Mine"])
    points = ax.collections[0].get_offsets()
    np.testing.assert_allclose(points, [[1.0, 0.9], [0.965, 0.97], [1.0, 1.0]])
    assert ax.get_title() == "Ours vs paper: 1 above, 1 below the diagonal"
    # points with the same accuracies share one label
    assert [text.get_text() for text in ax.texts] == ["GunPoint", "ItalyPowerDemand",
                                                      "BasicMotions"]
    ax = plot_accuracy_vs_paper([1.0, 1.0, 0.9], [1.0, 1.0, 0.95], ["A", "B", "C"])
    assert sorted(text.get_text() for text in ax.texts) == ["A, B", "C"]


def test_a_missing_matplotlib_says_how_to_install_it(monkeypatch, ensemble):
    # None in sys.modules makes `import matplotlib.pyplot` raise ImportError
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install inceptionsk\[plot\]"):
        plot_training_curves(ensemble)


def test_activation_map_colours_each_channel_by_the_map(basic_motions):
    X = basic_motions[0][0]  # 6 channels x 100 time points
    activation = np.linspace(-1, 2, 100)
    ax = plot_activation_map(X, activation, cmap="viridis")
    lines = ax.collections[-1]
    segments = lines.get_segments()
    assert len(segments) == 6 * 99
    np.testing.assert_allclose(segments[99], [[0, X[1, 0]], [1, X[1, 1]]])  # channel 1 begins
    np.testing.assert_allclose(lines.get_array()[:3], [-0.98485, -0.95455, -0.92424], atol=1e-5)
    assert lines.get_clim() == (-1, 2) and lines.get_cmap().name == "viridis"
    assert len(ax.figure.axes) == 2 and ax.get_xlabel() == "time step"  # with its colour bar


def test_activation_map_of_a_fitted_classifier_with_a_shared_scale(ensemble, gunpoint):
    _, _, X_test, _ = gunpoint
    maps = ensemble.class_activation_map(X_test[:2])
    fig, axes = plt.subplots(1, 2)
    for ax, series, case_map in zip(axes, X_test[:2], maps, strict=True):
        plot_activation_map(series[0], case_map, ax=ax, vmin=-3, vmax=3, colorbar=False)
        assert ax.collections[-1].get_clim() == (-3, 3)
    assert len(fig.axes) == 2


def test_activation_map_needs_a_series_and_its_map():
    with pytest.raises(ValueError, match=r"got a series of shape \(2, 1, 10\) and a map of "
                                         r"shape \(10,\)\. For a dataset X and its maps, pass "
                                         r"X\[i\] and maps\[i\]\."):
        plot_activation_map(np.zeros((2, 1, 10)), np.zeros(10))
    with pytest.raises(ValueError, match=r"a map of shape \(9,\)"):
        plot_activation_map(np.zeros(10), np.zeros(9))
