"""Choosing the train split, the test split, or both joined, of a dataset."""

import numpy as np

__all__ = ["SPLITS", "check_split", "join_splits", "select_split"]

SPLITS = ("train", "test", None)


def check_split(split):
    """Raise a ValueError unless ``split`` is "train", "test" or None."""
    if split not in SPLITS:
        raise ValueError(f"split must be 'train', 'test' or None (both), got {split!r}.")


def _as_object_array(X):
    series = np.empty(len(X), dtype=object)
    for index, case in enumerate(X):
        series[index] = case
    return series


def join_splits(first, second):
    """Concatenate two collections of series, train first.

    Arrays of one length are joined as arrays; when the lengths differ (or either is
    already a 1D object array of unequal-length series) the result is an object array
    of 2D arrays, the package's form for unequal lengths.
    """
    (X_first, y_first), (X_second, y_second) = first, second
    same_layout = (
        X_first.dtype != object and X_second.dtype != object
        and X_first.shape[1:] == X_second.shape[1:]
    )
    if same_layout:
        X = np.concatenate([X_first, X_second])
    else:
        X = np.concatenate([_as_object_array(X_first), _as_object_array(X_second)])
    y = None if y_first is None or y_second is None else np.concatenate([y_first, y_second])
    return X, y


def select_split(split, load_train, load_test):
    """``(X, y)`` of the split asked for; ``load_*`` are called only when needed."""
    check_split(split)
    if split == "train":
        return load_train()
    if split == "test":
        return load_test()
    return join_splits(load_train(), load_test())
