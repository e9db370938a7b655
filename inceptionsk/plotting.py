"""Plots of fitted estimators and results: training curves, confusion matrix, activation
maps, ours vs paper.

matplotlib is an optional dependency (``pip install inceptionsk[plot]``); it is imported
only when a plot is drawn, so that the package imports without it.
"""

import numpy as np

__all__ = [
    "plot_accuracy_vs_paper", "plot_activation_map", "plot_benchmark", "plot_confusion_matrix",
    "plot_training_curves",
]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "Plotting needs matplotlib, an optional dependency: pip install inceptionsk[plot]"
        ) from exc
    return plt


def _axes(ax):
    return _pyplot().subplots()[1] if ax is None else ax


def _trained_networks(estimator):
    """The single-network estimators inside an ensemble, a Pipeline or a search."""
    while True:
        if hasattr(estimator, "best_estimator_"):
            estimator = estimator.best_estimator_
        elif hasattr(estimator, "steps"):
            estimator = estimator.steps[-1][1]
        else:
            break
    if hasattr(estimator, "estimators_"):
        return list(estimator.estimators_)
    if hasattr(estimator, "net_"):
        return [estimator]
    raise ValueError(
        f"{type(estimator).__name__} has no training history: pass a fitted "
        "InceptionTime estimator (or a fitted Pipeline or search ending in one)."
    )


def _learning_rates(history):
    """``(epoch positions, rates)`` recorded in a skorch history, or None.

    Schedules stepped every epoch (the paper's plateau) record ``event_lr`` per epoch;
    those stepped every batch (one cycle) per batch, drawn here at fractions of an epoch.
    """
    if all("event_lr" in row for row in history):
        return np.arange(1, len(history) + 1), np.asarray(history[:, "event_lr"])
    try:
        per_epoch = history[:, "batches", :, "event_lr"]
    except KeyError:
        return None
    positions = [epoch + np.arange(1, len(rates) + 1) / len(rates)
                 for epoch, rates in enumerate(per_epoch)]
    return np.concatenate(positions), np.concatenate(per_epoch)


def plot_training_curves(estimator, *, ax=None, show_lr=True):
    """Plot each network's training loss per epoch, its validation loss and accuracy when
    it held out a validation split, and its learning rate when recorded.

    Parameters
    ----------
    estimator : fitted estimator
        An :class:`~inceptionsk.InceptionTimeClassifier` or regressor (one curve per
        member), a single-network estimator, or a fitted Pipeline or search whose final
        estimator is one of those.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.
    show_lr : bool, default=True
        Draw the learning rate (skorch's ``event_lr``, per epoch or, for the one-cycle
        schedule, per batch) as dashed lines on a second, logarithmic y axis, when the
        history records it.

    Returns
    -------
    ax : matplotlib Axes
        The axes of the losses: training losses as solid lines, validation losses
        (``validation_fraction``) as dotted lines of the same colour. The learning
        rates, when drawn, are on a twin axes of ``ax``; the validation accuracy of a
        classifier, when recorded, on a panel below ``ax`` (``ax.figure.axes`` holds
        them all).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from inceptionsk import InceptionTimeClassifier
    >>> from inceptionsk.datasets import load_gunpoint
    >>> from inceptionsk.plotting import plot_training_curves
    >>> X, y = load_gunpoint(split="train", return_X_y=True)
    >>> clf = InceptionTimeClassifier(n_estimators=2, max_epochs=3, depth=3, n_filters=8,
    ...                               random_state=0).fit(X, y)
    >>> ax = plot_training_curves(clf)
    >>> len(ax.get_lines())
    2
    """
    networks = _trained_networks(estimator)
    ax = _axes(ax)
    histories = [network.history_ for network in networks]
    validated = any("valid_loss" in history[-1] for history in histories)
    accuracy_axes = None
    if any("valid_acc" in history[-1] for history in histories):
        # a panel below the losses, sharing their epochs
        from mpl_toolkits.axes_grid1 import make_axes_locatable

        accuracy_axes = make_axes_locatable(ax).append_axes(
            "bottom", size="60%", pad=0.1, sharex=ax
        )
    lr_axes = None
    for index, history in enumerate(histories):
        epochs = np.arange(1, len(history) + 1)
        (line,) = ax.plot(epochs, history[:, "train_loss"], label=f"network {index}")
        if "valid_loss" in history[-1]:
            ax.plot(epochs, history[:, "valid_loss"], linestyle=":", color=line.get_color())
        if accuracy_axes is not None and "valid_acc" in history[-1]:
            accuracy_axes.plot(epochs, history[:, "valid_acc"], color=line.get_color())
        rates = _learning_rates(history) if show_lr else None
        if rates is not None:
            if lr_axes is None:
                lr_axes = ax.twinx()
                # where a panel divides ax, the twin takes ax's place, not the whole
                lr_axes.set_axes_locator(ax.get_axes_locator())
                lr_axes.set_yscale("log")
                lr_axes.set_ylabel("learning rate (dashed)")
            lr_axes.plot(*rates, linestyle="--", color=line.get_color(), alpha=0.6)
    ax.set_ylabel("loss (dotted: validation)" if validated else "training loss")
    if accuracy_axes is None:
        ax.set_xlabel("epoch")
    else:
        ax.tick_params(labelbottom=False)
        accuracy_axes.set_xlabel("epoch")
        accuracy_axes.set_ylabel("validation accuracy")
    ax.set_title(f"Training curves of {len(networks)} network{'s' * (len(networks) > 1)}")
    ax.legend(loc="upper right", fontsize="small")
    return ax


def plot_confusion_matrix(estimator, X, y, *, ax=None, normalize=None):
    """Plot the confusion matrix of a fitted classifier on X and y.

    A thin layer over :meth:`sklearn.metrics.ConfusionMatrixDisplay.from_estimator`
    that adds the accuracy to the title.

    Parameters
    ----------
    estimator : fitted classifier
        The classifier to score (an estimator of this package, or any with ``predict``).
    X : array-like of shape (n_cases, n_channels, n_timepoints)
        The series to predict.
    y : array-like of shape (n_cases,)
        The true labels.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.
    normalize : {"true", "pred", "all"} or None, default=None
        As in sklearn: counts when None.

    Returns
    -------
    display : :class:`~sklearn.metrics.ConfusionMatrixDisplay`
        Its ``ax_`` holds the plot.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from inceptionsk import InceptionTimeClassifier
    >>> from inceptionsk.datasets import load_gunpoint
    >>> from inceptionsk.plotting import plot_confusion_matrix
    >>> X, y = load_gunpoint(split="train", return_X_y=True)
    >>> clf = InceptionTimeClassifier(n_estimators=1, max_epochs=2, depth=3, n_filters=8,
    ...                               random_state=0).fit(X, y)
    >>> plot_confusion_matrix(clf, X, y).confusion_matrix.sum()
    np.int64(50)
    """
    _pyplot()
    from sklearn.metrics import ConfusionMatrixDisplay

    display = ConfusionMatrixDisplay.from_estimator(
        estimator, X, y, ax=_axes(ax), normalize=normalize, colorbar=False
    )
    accuracy = np.trace(display.confusion_matrix) / np.sum(display.confusion_matrix)
    if normalize not in (None, "all"):
        # normalised rows or columns no longer add up to the accuracy: count again
        accuracy = np.mean(estimator.predict(X) == np.asarray(y))
    display.ax_.set_title(f"Confusion matrix (accuracy {accuracy:.3f})")
    return display


def plot_activation_map(series, activation_map, *, ax=None, cmap="jet", vmin=None, vmax=None,
                        colorbar=True):
    """Draw a series coloured at each time step by its activation map.

    The figure of class activation maps for time series (Wang et al. 2017; Ismail Fawaz
    et al. 2019): the series as a line whose colour follows the map, so that the time
    steps that weigh most for the class (or the target) stand out.

    Parameters
    ----------
    series : array-like of shape (n_channels, n_timepoints) or (n_timepoints,)
        One series, e.g. ``X[i]``; each channel is drawn as a line with the same colours.
    activation_map : array-like of shape (n_timepoints,)
        Its map, e.g. ``clf.class_activation_map(X)[i]``.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.
    cmap : str or Colormap, default="jet"
        The colours, from the lowest value of the map to the highest (``"jet"``, as in
        the papers' figures).
    vmin, vmax : float, default=None
        The map values of the ends of ``cmap``; the map's own range when None. Give the
        same to several plots to compare their colours.
    colorbar : bool, default=True
        Whether to add a colour bar of the map's values.

    Returns
    -------
    ax : matplotlib Axes
        Its last collection (``ax.collections[-1]``) holds the coloured line segments.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from inceptionsk import InceptionNetworkClassifier
    >>> from inceptionsk.datasets import load_gunpoint
    >>> from inceptionsk.plotting import plot_activation_map
    >>> X, y = load_gunpoint(split="train", return_X_y=True)
    >>> clf = InceptionNetworkClassifier(n_filters=4, depth=2, max_epochs=2,
    ...                                  random_state=0).fit(X, y)
    >>> ax = plot_activation_map(X[0], clf.class_activation_map(X[:1])[0])
    >>> len(ax.collections[-1].get_segments())  # 150 time steps, 149 segments
    149
    """
    series = np.asarray(series, dtype=float)
    activation_map = np.asarray(activation_map, dtype=float)
    channels = series[np.newaxis] if series.ndim == 1 else series
    if channels.ndim != 2 or activation_map.ndim != 1 or (
            activation_map.shape[0] != channels.shape[1]):
        raise ValueError(
            f"plot_activation_map takes one series of shape (n_channels, n_timepoints) or "
            f"(n_timepoints,) and its map of shape (n_timepoints,); got a series of shape "
            f"{series.shape} and a map of shape {activation_map.shape}. For a dataset X and "
            "its maps, pass X[i] and maps[i]."
        )
    _pyplot()
    from matplotlib.collections import LineCollection

    ax = _axes(ax)
    steps = np.arange(channels.shape[1])
    # one segment per pair of neighbouring steps, coloured by their mean activation
    segments = [np.stack([steps, values], axis=1) for values in channels]
    segments = np.concatenate([np.stack([line[:-1], line[1:]], axis=1) for line in segments])
    values = np.tile((activation_map[:-1] + activation_map[1:]) / 2, len(channels))
    lines = LineCollection(segments, cmap=cmap, linewidths=2)
    lines.set_array(values)
    lines.set_clim(activation_map.min() if vmin is None else vmin,
                   activation_map.max() if vmax is None else vmax)
    ax.add_collection(lines)
    ax.autoscale_view()
    if colorbar:
        ax.figure.colorbar(lines, ax=ax, label="activation")
    ax.set_xlabel("time step")
    return ax


def plot_accuracy_vs_paper(ours, paper, names=None, *, ax=None):
    """Scatter our accuracy against the paper's, one point per dataset.

    Points above the diagonal are datasets where we beat the published InceptionTime.

    Parameters
    ----------
    ours : array-like of shape (n_datasets,)
        Our test accuracies.
    paper : array-like of shape (n_datasets,)
        The published accuracies (NaN where unknown: those points are left out).
    names : list of str, default=None
        Dataset names to write beside the points.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from inceptionsk.plotting import plot_accuracy_vs_paper
    >>> ax = plot_accuracy_vs_paper([0.9, 0.97], [1.0, 0.965], ["GunPoint", "ItalyPowerDemand"])
    >>> ax.get_xlabel()
    'published InceptionTime accuracy'
    """
    ours = np.asarray(ours, dtype=float)
    paper = np.asarray(paper, dtype=float)
    known = ~np.isnan(paper)
    ax = _axes(ax)
    low = min(np.min(ours[known], initial=1.0), np.min(paper[known], initial=1.0))
    low = max(0.0, np.floor(low * 20) / 20 - 0.05)
    ax.plot([low, 1], [low, 1], color="grey", linewidth=1, zorder=0)
    ax.scatter(paper[known], ours[known], zorder=1)
    if names is not None:
        # one label per point: datasets with the same pair of accuracies share it
        labels = {}
        for index in np.flatnonzero(known):
            labels.setdefault((paper[index], ours[index]), []).append(str(names[index]))
        for (x, y), point_names in labels.items():
            # labels of points near the right edge go to their left, inside the axes
            right_half = x > (low + 1) / 2
            ax.annotate(", ".join(point_names), (x, y), textcoords="offset points",
                        xytext=(-6 if right_half else 6, -12), fontsize="small",
                        ha="right" if right_half else "left")
    ax.set_xlim(low, 1.01)
    ax.set_ylim(low, 1.01)
    ax.set_aspect("equal")
    ax.set_xlabel("published InceptionTime accuracy")
    ax.set_ylabel("our accuracy")
    # the paper reports 4 decimals: compare at that precision
    difference = np.round(ours[known] - paper[known], 4)
    wins, losses = int(np.sum(difference > 0)), int(np.sum(difference < 0))
    ax.set_title(f"Ours vs paper: {wins} above, {losses} below the diagonal")
    return ax


def plot_benchmark(results, *, axes=None):
    """Plot a benchmark's results against the published ones: one point per dataset.

    The field's standard picture: ours on the y axis, the published result on the x
    axis, the diagonal where they are equal. Accuracy (higher is better: points above
    the diagonal beat the paper) and RMSE (lower is better, drawn on logarithmic axes:
    points below the diagonal beat it) get one panel each.

    Parameters
    ----------
    results : BenchmarkResult or list of dict
        What :func:`inceptionsk.benchmark.run_benchmark` returns, or its rows (a results
        CSV: ``BenchmarkResult.from_csv(path)``).
    axes : list of matplotlib Axes, default=None
        One per metric present (accuracy first); a new figure when None.

    Returns
    -------
    figure : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from inceptionsk.plotting import plot_benchmark
    >>> rows = [{"dataset": "GunPoint", "metric": "accuracy", "score": 0.98,
    ...          "published": 1.0, "model": "inceptiontime"},
    ...         {"dataset": "Covid3Month", "metric": "rmse", "score": 0.05,
    ...          "published": 0.055, "model": "inceptiontime"}]
    >>> [(ax.get_xlabel(), ax.get_ylabel()) for ax in plot_benchmark(rows).axes]
    [('published InceptionTime accuracy', 'our InceptionTime accuracy'), \
('published RMSE (InceptionE)', 'our InceptionTime RMSE')]
    """
    rows = [row for row in getattr(results, "rows", results)
            if not row.get("error") and row.get("score") is not None
            and row.get("published") is not None]
    metrics = [metric for metric in ("accuracy", "rmse")
               if any(row.get("metric") == metric for row in rows)]
    if not metrics:
        raise ValueError(
            "No dataset of these results has both a score and a published result to "
            "plot against."
        )
    plt = _pyplot()
    if axes is None:
        figure, axes = plt.subplots(1, len(metrics), figsize=(6 * len(metrics), 6),
                                    squeeze=False)
        axes = list(axes[0])
    if len(axes) != len(metrics):
        raise ValueError(f"axes must hold {len(metrics)} Axes, one per metric "
                         f"({', '.join(metrics)}); got {len(axes)}.")
    from ._models import MODELS

    model = next((row["model"] for row in rows if row.get("model")), None)
    # the published results are the model's papers': InceptionTime's, LITETime's...
    name = MODELS[model].published if model in MODELS else "the model"
    for ax, metric in zip(axes, metrics, strict=True):
        chosen = [row for row in rows if row["metric"] == metric]
        ours = [row["score"] for row in chosen]
        published = [row["published"] for row in chosen]
        names = [row["dataset"] for row in chosen]
        if metric == "accuracy":
            plot_accuracy_vs_paper(ours, published, names, ax=ax)
            ax.set_xlabel(f"published {name} accuracy")
            ax.set_ylabel(f"our {name} accuracy")
            continue
        low = min(min(ours), min(published)) / 1.5
        high = max(max(ours), max(published)) * 1.5
        ax.plot([low, high], [low, high], color="grey", linewidth=1, zorder=0)
        ax.scatter(published, ours, zorder=1)
        for x, y, dataset in zip(published, ours, names, strict=True):
            ax.annotate(dataset, (x, y), textcoords="offset points", xytext=(6, -12),
                        fontsize="small")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(low, high)
        ax.set_ylim(low, high)
        ax.set_aspect("equal")
        ax.set_xlabel("published RMSE (InceptionE)")
        ax.set_ylabel(f"our {name} RMSE")
        better = sum(score < paper for score, paper in zip(ours, published, strict=True))
        worse = sum(score > paper for score, paper in zip(ours, published, strict=True))
        ax.set_title(f"RMSE: {better} below (better), {worse} above the diagonal")
    return axes[0].figure
