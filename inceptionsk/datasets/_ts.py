"""Reader of the ``.ts`` text format of sktime and aeon (the format of the UEA/UCR archives).

Why a hand-written reader: the maintained parsers of this format live inside aeon and
sktime, whole toolkits (pandas, numba and hundreds of modules) far too heavy to depend on
for reading a text file, and the small packages that fetch the archives (pyts, tslearn)
read them as ARFF or TXT, not ``.ts``. The format itself is small: a header of
``@tag value`` lines, ``@data``, then one case per line with its channels separated by
``:``, the values of a channel by ``,`` and the label last. This reader checks every line
against the header and reports each fault with the file, the line and what was wrong.

Supported: univariate and multivariate series; equal and unequal length; ``?`` (or
``NaN``) for a missing value; class labels (``@classLabel true ...``, returned as the
strings written in the file) and regression targets (``@targetLabel true``, returned as
floats). Not supported: ``@timeStamps true`` (values written as ``(time,value)``
pairs), which raises an error that says so.
"""

from pathlib import Path

import numpy as np

from ._errors import DataFileError

__all__ = ["load_ts_file"]

_BOOLEAN_TAGS = ("timestamps", "missing", "univariate", "equallength", "targetlabel")


def _parse_bool(path, lineno, tag, value):
    if value.lower() not in ("true", "false"):
        raise DataFileError(path, lineno, f"@{tag} must be true or false, found {value!r}")
    return value.lower() == "true"


def _parse_positive_int(path, lineno, tag, value):
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise DataFileError(path, lineno, f"@{tag} must be a positive integer, found {value!r}")
    return number


def _read_header(lines, path):
    """Read the header up to ``@data``; return ``(header, lineno of @data)``.

    Tags are matched case-insensitively (``@timeStamps`` and ``@timestamps`` are one).
    """
    header = {"description": []}
    for lineno, raw in lines:
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            header["description"].append(line[1:].strip())
            continue
        if not line.startswith("@"):
            raise DataFileError(
                path, lineno,
                f"expected a header line (@tag value) or a comment (#) before @data, found "
                f"{_shorten(line)!r}",
            )
        tag, _, value = line[1:].partition(" ")
        tag, value = tag.lower(), value.strip()
        if tag == "data":
            return header, lineno
        if tag in _BOOLEAN_TAGS:
            header[tag] = _parse_bool(path, lineno, tag, value)
        elif tag in ("dimension", "dimensions"):
            header["dimensions"] = _parse_positive_int(path, lineno, "dimensions", value)
        elif tag == "serieslength":
            header["serieslength"] = _parse_positive_int(path, lineno, tag, value)
        elif tag == "classlabel":
            flag, *labels = value.split()
            header["classlabel"] = _parse_bool(path, lineno, tag, flag or "")
            if header["classlabel"] and not labels:
                raise DataFileError(
                    path, lineno, "@classLabel true must be followed by the class labels"
                )
            header["labels"] = labels
        elif tag == "problemname":
            header["problemname"] = value
        else:
            # Files in the wild carry extra tags; keep them for the caller, check nothing.
            header[tag] = value
        if tag == "timestamps" and header["timestamps"]:
            raise DataFileError(
                path, lineno,
                "@timeStamps true is not supported: write the values without timestamps",
            )
    raise DataFileError(path, None, "no @data line: the file has a header but no data section")


def _shorten(text, width=40):
    return text if len(text) <= width else text[:width] + "..."


def _parse_value(path, lineno, channel, text):
    text = text.strip()
    if text == "?":
        return np.nan
    try:
        return float(text)
    except ValueError:
        if text.startswith("("):
            message = "found a (timestamp,value) pair but the header has no @timeStamps true"
        else:
            message = f"channel {channel}: {_shorten(text)!r} is not a number"
        raise DataFileError(path, lineno, message) from None


def _parse_case(path, lineno, line, header, n_channels):
    """One data line -> (list of channel value lists, label text or None)."""
    fields = line.split(":")
    has_label = header["classlabel"] or header.get("targetlabel", False)
    label = fields.pop().strip() if has_label else None
    if has_label and not label:
        raise DataFileError(path, lineno, "the label after the last ':' is missing")
    if n_channels is not None and len(fields) != n_channels:
        expected = f"{n_channels} channel{'s' if n_channels > 1 else ''}"
        hint = "" if has_label else " (is the header missing @classLabel true?)"
        raise DataFileError(path, lineno, f"expected {expected}, found {len(fields)}{hint}")
    channels = []
    for index, field in enumerate(fields, start=1):
        if not field.strip():
            raise DataFileError(path, lineno, f"channel {index} has no values")
        channels.append([_parse_value(path, lineno, index, text) for text in field.split(",")])
    lengths = {len(values) for values in channels}
    if len(lengths) > 1:
        raise DataFileError(
            path, lineno,
            "the channels of a case must have the same length, found lengths "
            + ", ".join(str(len(values)) for values in channels),
        )
    return channels, label


def _parse_label(path, lineno, label, header):
    if header.get("targetlabel", False):
        try:
            return float(label)
        except ValueError:
            raise DataFileError(
                path, lineno, f"the regression target {label!r} is not a number"
            ) from None
    if header["labels"] and label not in header["labels"]:
        raise DataFileError(
            path, lineno,
            f"class label {label!r} is not among those declared by @classLabel "
            f"({', '.join(header['labels'])})",
        )
    return label


def load_ts_file(path, *, return_metadata=False):
    """Load a ``.ts`` file (sktime/aeon format): the series and their labels.

    Parameters
    ----------
    path : str or path-like
        The ``.ts`` file.
    return_metadata : bool, default=False
        Also return the header as a dict (lower-case tags, e.g. ``"problemname"``,
        ``"labels"``, and ``"description"``: the ``#`` comment lines).

    Returns
    -------
    X : ndarray of shape (n_cases, n_channels, n_timepoints) or of shape (n_cases,)
        float32 values, NaN where the file has ``?``. When the series are of unequal
        length (``@equalLength false``, or lengths that differ in a file that does not
        say), a 1D object array of float32 arrays of shape (n_channels, length_i).
    y : ndarray of shape (n_cases,) or None
        Class labels as strings (as written, e.g. ``"1"``), regression targets as
        float64, or None when the file has no labels.
    metadata : dict
        The header, when ``return_metadata`` is True.

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
    >>> from inceptionsk.datasets import load_ts_file
    >>> with TemporaryDirectory() as tmp:
    ...     path = Path(tmp, "Toy_TRAIN.ts")
    ...     _ = path.write_text(
    ...         "@problemName Toy\\n@univariate false\\n@dimensions 2\\n"
    ...         "@classLabel true a b\\n@data\\n"
    ...         "1,2,3:4,5,6:a\\n7,?,9:1,1,1:b\\n"
    ...     )
    ...     X, y = load_ts_file(path)
    >>> X.shape, y
    ((2, 2, 3), array(['a', 'b'], dtype='<U1'))
    >>> X[1, 0]
    array([ 7., nan,  9.], dtype=float32)
    """
    path = Path(path)
    with open(path, encoding="utf-8") as file:
        lines = enumerate(file, start=1)
        header, data_lineno = _read_header(lines, path)
        if header.get("classlabel", False) and header.get("targetlabel", False):
            raise DataFileError(
                path, data_lineno, "the header has both @classLabel true and @targetLabel true"
            )
        header.setdefault("labels", [])
        # as in aeon, a file that declares neither kind of label has class labels
        header.setdefault("classlabel", not header.get("targetlabel", False))
        n_channels = header.get("dimensions")
        if header.get("univariate") is True:
            if n_channels not in (None, 1):
                raise DataFileError(
                    path, data_lineno,
                    f"the header says @univariate true but @dimensions {n_channels}",
                )
            n_channels = 1
        cases, labels, lengths = [], [], []
        for lineno, raw in lines:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            channels, label = _parse_case(path, lineno, line, header, n_channels)
            # without @dimensions, the first case fixes the number of channels
            n_channels = len(channels)
            length = len(channels[0])
            expected = header.get("serieslength") if header.get("equallength") else None
            if header.get("equallength") and expected is None and lengths:
                expected = lengths[0]
            if expected is not None and length != expected:
                raise DataFileError(
                    path, lineno,
                    f"expected {expected} values per channel (the header says "
                    f"@equalLength true), found {length}",
                )
            cases.append(channels)
            lengths.append(length)
            if label is not None:
                labels.append(_parse_label(path, lineno, label, header))
    if not cases:
        raise DataFileError(path, data_lineno, "no cases after @data")
    equal_length = header.get("equallength", len(set(lengths)) == 1)
    if equal_length:
        X = np.asarray(cases, dtype=np.float32)
    else:
        # element by element: a slice assignment would let numpy stack equal shapes
        X = np.empty(len(cases), dtype=object)
        for index, channels in enumerate(cases):
            X[index] = np.asarray(channels, dtype=np.float32)
    y = np.asarray(labels) if labels else None
    if return_metadata:
        return X, y, header
    return X, y
