"""Reader of the UCR 2018 archive's ``.tsv`` files: one case per line, the label first.

Each line holds the class label, then the series' values, separated by tabs; ``NaN``
marks a missing value. The archive stores its variable-length datasets padded with
``NaN`` at the end, and this reader does the same with lines that have fewer values: the
result is always one float32 array with NaN after a short series' last value. Numpy's
``loadtxt``/``genfromtxt`` cannot read lines of different lengths with the label kept
as text, and pandas is no dependency of ours, so the few lines below do it and say on
which line a value is not a number.
"""

from pathlib import Path

import numpy as np

from ._errors import DataFileError

__all__ = ["load_ucr_tsv_file"]


def _parse_line(path, lineno, line):
    fields = line.split("\t")
    label = fields[0].strip()
    if not label:
        raise DataFileError(path, lineno, "the label (first column) is empty")
    if len(fields) < 2:
        raise DataFileError(
            path, lineno,
            f"found no tab-separated values after the label {label!r}; UCR .tsv files "
            "separate the label and the values with tabs",
        )
    values = []
    for column, text in enumerate(fields[1:], start=2):
        try:
            values.append(float(text))
        except ValueError:
            shown = text if len(text) <= 40 else text[:40] + "..."
            raise DataFileError(
                path, lineno,
                f"column {column}: {shown!r} is not a number (write NaN for a missing value)",
            ) from None
    return label, values


def load_ucr_tsv_file(path):
    """Load a UCR 2018 archive ``.tsv`` file: univariate series and their class labels.

    Parameters
    ----------
    path : str or path-like
        The file, e.g. ``UCRArchive_2018/GunPoint/GunPoint_TRAIN.tsv``.

    Returns
    -------
    X : ndarray of shape (n_cases, 1, n_timepoints), dtype float32
        The series; NaN for missing values and after the end of series shorter than
        the longest (the archive's own way of storing unequal lengths).
    y : ndarray of shape (n_cases,)
        The labels as the strings written in the file (e.g. ``"1"``).

    Raises
    ------
    DataFileError
        A malformed file; the message names the file, the line and what was wrong.

    See Also
    --------
    load_dataset : Loads a train/test pair by dataset name, folder or file.

    Examples
    --------
    >>> from pathlib import Path
    >>> from tempfile import TemporaryDirectory
    >>> from inceptionsk.datasets import load_ucr_tsv_file
    >>> with TemporaryDirectory() as tmp:
    ...     path = Path(tmp, "Toy_TEST.tsv")
    ...     _ = path.write_text("1\\t0.5\\t1.5\\t2.5\\n2\\t3.0\\tNaN\\n")
    ...     X, y = load_ucr_tsv_file(path)
    >>> X
    array([[[0.5, 1.5, 2.5]],
    <BLANKLINE>
           [[3. , nan, nan]]], dtype=float32)
    >>> y
    array(['1', '2'], dtype='<U1')
    """
    path = Path(path)
    labels, series = [], []
    with open(path, encoding="utf-8") as file:
        for lineno, raw in enumerate(file, start=1):
            # trailing tabs and spaces are no values; a blank line is no case
            line = raw.rstrip()
            if not line.strip():
                continue
            label, values = _parse_line(path, lineno, line)
            labels.append(label)
            series.append(values)
    if not series:
        raise DataFileError(path, None, "the file holds no cases")
    length = max(len(values) for values in series)
    X = np.full((len(series), 1, length), np.nan, dtype=np.float32)
    for index, values in enumerate(series):
        X[index, 0, :len(values)] = values
    return X, np.asarray(labels)
