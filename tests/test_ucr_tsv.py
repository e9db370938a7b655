"""Tests of the UCR 2018 .tsv reader: values, NaN, unequal rows, round trips, errors."""

import numpy as np
import pytest
from conftest import make
from toy_data import write_tsv

from inceptionsk.datasets import DataFileError, load_gunpoint, load_ucr_tsv_file


def write(tmp_path, text, name="Toy_TEST.tsv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_values_labels_and_missing_values(tmp_path):
    X, y = load_ucr_tsv_file(write(tmp_path, "1\t0.5\t-2e-1\tNaN\n-1\t3\t4\t5\n"))
    assert X.dtype == np.float32 and X.shape == (2, 1, 3)
    np.testing.assert_array_equal(X[0, 0], np.float32([0.5, -0.2, np.nan]))
    assert y.tolist() == ["1", "-1"]


def test_short_rows_are_padded_with_nan_at_the_end(tmp_path):
    X, _ = load_ucr_tsv_file(write(tmp_path, "a\t1\t2\na\t1\t2\t3\t4\nb\t9\n"))
    assert X.shape == (3, 1, 4)
    np.testing.assert_array_equal(np.isnan(X[:, 0]), [[0, 0, 1, 1], [0, 0, 0, 0], [0, 1, 1, 1]])


def test_blank_lines_trailing_tabs_and_windows_line_ends(tmp_path):
    X, y = load_ucr_tsv_file(write(tmp_path, "1\t1\t2\t\r\n\n2\t3\t4\r\n"))
    np.testing.assert_array_equal(X[:, 0], [[1, 2], [3, 4]])
    assert y.tolist() == ["1", "2"]


def test_round_trip_of_bundled_gunpoint(tmp_path):
    X, y = load_gunpoint(split="train", return_X_y=True)
    X_read, y_read = load_ucr_tsv_file(write_tsv(tmp_path / "GunPoint_TRAIN.tsv", X, y))
    np.testing.assert_array_equal(X_read, X)
    np.testing.assert_array_equal(y_read, y)


@pytest.mark.parametrize(("text", "expected"), [
    ("1\t2\t3\n2\t4\tabc\n", "Toy_TEST.tsv line 2: column 3: 'abc' is not a number "
                             "(write NaN for a missing value)"),
    ("1\t2\t\t3\n", "Toy_TEST.tsv line 1: column 3: '' is not a number"),
    ("1\t2\n\t3\t4\n", "Toy_TEST.tsv line 2: the label (first column) is empty"),
    ("1 2 3 4\n", "Toy_TEST.tsv line 1: found no tab-separated values after the label "
                  "'1 2 3 4'"),
    ("\n\n", "Toy_TEST.tsv: the file holds no cases"),
])
def test_errors_name_the_file_and_the_line(tmp_path, text, expected):
    with pytest.raises(DataFileError) as info:
        load_ucr_tsv_file(write(tmp_path, text))
    assert str(info.value).startswith(expected)


def test_a_variable_length_set_trains_once_its_padding_is_trimmed(tmp_path):
    """The archive pads series of unequal length with NaN: the estimator refuses them
    and says how to pass them at their own lengths, which then trains and predicts."""
    from inceptionsk import InceptionNetworkClassifier
    from inceptionsk.datasets import trim_trailing_nan

    rng = np.random.RandomState(0)
    rows = [[label, *rng.normal(size=length).round(3)]
            for label, length in zip("abababab", [9, 12, 7, 12, 10, 8, 12, 11], strict=True)]
    text = "".join("\t".join(map(str, row)) + "\n" for row in rows)
    X, y = load_ucr_tsv_file(write(tmp_path, text))
    X[2, 0, 3] = np.nan  # a missing value inside a series stays missing
    clf = make(InceptionNetworkClassifier, kernel_size=4)
    with pytest.raises(ValueError, match="InceptionTime cannot train") as refused:
        clf.fit(X, y)
    assert "trim_trailing_nan" not in str(refused.value)  # the inner NaN is no padding
    X[2, 0, 3] = 0.5
    with pytest.raises(ValueError, match=r"Here the NaN only pad the ends of series, the "
                                         r"UCR archive's layout .*trim_trailing_nan\(X\)"):
        clf.fit(X, y)
    ragged = trim_trailing_nan(X)
    assert [series.shape[-1] for series in ragged] == [9, 12, 7, 12, 10, 8, 12, 11]
    assert not any(np.isnan(series).any() for series in ragged)
    assert clf.fit(ragged, y).predict(ragged).shape == (8,)


def test_trim_trailing_nan_keeps_equal_lengths_and_refuses_empty_series():
    from inceptionsk.datasets import trim_trailing_nan

    X = np.arange(12, dtype=np.float64).reshape(2, 2, 3)
    X[1, 0, 2] = np.nan  # NaN in one channel only: a missing value, not padding
    same = trim_trailing_nan(X)
    assert same.dtype == np.float32 and same.shape == (2, 2, 3)
    with pytest.raises(ValueError, match="Series 1 of X holds no value"):
        trim_trailing_nan(np.array([[1.0, 2.0], [np.nan, np.nan]]))
