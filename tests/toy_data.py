"""Small hand-made datasets written to disk in the archives' formats, for the tests."""

import numpy as np


def toy_series(n_cases, length=24, seed=0):
    """Two easy classes: a sine ("sine") and a flat line with noise ("flat")."""
    rng = np.random.RandomState(seed)
    labels = np.array(["sine", "flat"] * (n_cases // 2))
    t = np.linspace(0, 2 * np.pi, length)
    X = rng.normal(scale=0.1, size=(n_cases, 1, length))
    X[labels == "sine", 0] += np.sin(t)
    return X.astype(np.float32), labels


def format_value(value):
    """A float32 value as text that reads back to the same float32 (NaN as '?')."""
    return "?" if np.isnan(value) else repr(float(value))


def write_ts(path, X, y, *, problem_name="Toy", labels=None):
    """Write series (3D array or list of 2D arrays) and class labels as a .ts file."""
    n_channels = X[0].shape[0]
    lengths = {case.shape[-1] for case in X}
    equal = len(lengths) == 1
    lines = [
        "# A toy dataset written by the tests.",
        f"@problemName {problem_name}",
        "@timeStamps false",
        f"@missing {str(any(np.isnan(case).any() for case in X)).lower()}",
        f"@univariate {str(n_channels == 1).lower()}",
    ]
    if n_channels > 1:
        lines.append(f"@dimensions {n_channels}")
    lines.append(f"@equalLength {str(equal).lower()}")
    if equal:
        lines.append(f"@seriesLength {lengths.pop()}")
    lines.append(f"@classLabel true {' '.join(labels if labels is not None else np.unique(y))}")
    lines.append("@data")
    for case, label in zip(X, y, strict=True):
        channels = [",".join(format_value(v) for v in channel) for channel in case]
        lines.append(":".join(channels) + f":{label}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_regression_ts(path, X, y):
    """Series (3D array) and numeric targets as a .ts file of the TSER archive."""
    lines = ["@problemName Toy", "@timeStamps false", "@missing false",
             f"@univariate {str(X.shape[1] == 1).lower()}", "@equalLength true",
             f"@seriesLength {X.shape[2]}", "@targetLabel true", "@data"]
    for case, target in zip(X, y, strict=True):
        lines.append(":".join(",".join(repr(float(v)) for v in channel) for channel in case)
                     + f":{float(target)!r}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_tsv(path, X, y):
    """Write univariate series and labels in the UCR 2018 .tsv layout (NaN as 'NaN')."""
    rows = []
    for case, label in zip(X, y, strict=True):
        values = ["NaN" if np.isnan(v) else repr(float(v)) for v in case[0]]
        rows.append("\t".join([str(label), *values]))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def write_toy_pair(folder, name="Toy", n_train=16, n_test=10, fmt="ts"):
    """A dataset folder ``folder/name/name_TRAIN.<fmt>`` and ``_TEST``; return the folder."""
    dataset = folder / name
    dataset.mkdir(parents=True, exist_ok=True)
    writer = write_ts if fmt == "ts" else write_tsv
    for split, n_cases, seed in (("TRAIN", n_train, 0), ("TEST", n_test, 1)):
        X, y = toy_series(n_cases, seed=seed)
        writer(dataset / f"{name}_{split}.{fmt}", X, y)
    return dataset
