"""Tests of the .ts reader: the format's variants, round trips, and errors that point at lines."""

import pickle
import re

import numpy as np
import pytest
from toy_data import write_ts

from inceptionsk.datasets import DataFileError, load_basic_motions, load_gunpoint, load_ts_file

UNIVARIATE = """\
# GunPoint-like toy data
# second comment line
@problemName Toy
@timeStamps false
@missing false
@univariate true
@equalLength true
@seriesLength 4
@classLabel true 1 2
@data
1.0,2.0,3.0,4.0:1

-1.5,0,2e-3,7:2
"""


def write(tmp_path, text, name="Toy_TRAIN.ts"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path, text):
    with pytest.raises(DataFileError) as info:
        load_ts_file(write(tmp_path, text))
    return info.value


def test_univariate(tmp_path):
    X, y, header = load_ts_file(write(tmp_path, UNIVARIATE), return_metadata=True)
    assert X.dtype == np.float32 and X.shape == (2, 1, 4)
    np.testing.assert_array_equal(X[1, 0], np.float32([-1.5, 0, 2e-3, 7]))
    # numeric labels stay the strings written in the file
    assert y.tolist() == ["1", "2"]
    assert header["problemname"] == "Toy"
    assert header["labels"] == ["1", "2"]
    assert header["description"] == ["GunPoint-like toy data", "second comment line"]


def test_tags_are_case_insensitive_and_dimension_singular(tmp_path):
    text = (
        "@PROBLEMNAME Toy\n@TimeStamps false\n@Univariate false\n@dimension 2\n"
        "@EQUALLENGTH true\n@classlabel true walk run\n@DATA\n1,2:3,4:walk\n5,6:7,8:run\n"
    )
    X, y = load_ts_file(write(tmp_path, text))
    assert X.shape == (2, 2, 2)
    np.testing.assert_array_equal(X[1], [[5, 6], [7, 8]])
    assert y.tolist() == ["walk", "run"]


def test_multivariate_without_dimensions_takes_the_first_case(tmp_path):
    text = "@univariate false\n@classLabel true a b\n@data\n1,2:3,4:5,6:a\n1,1:2,2:3,3:b\n"
    X, _ = load_ts_file(write(tmp_path, text))
    assert X.shape == (2, 3, 2)


def test_unequal_length_is_an_object_array_of_2d_arrays(tmp_path):
    text = (
        "@univariate false\n@dimensions 2\n@equalLength false\n@classLabel true a b\n@data\n"
        "1,2,3:4,5,6:a\n7,8:9,10:b\n1,2,3,4,5:1,2,3,4,5:a\n"
    )
    X, y = load_ts_file(write(tmp_path, text))
    assert X.dtype == object and X.shape == (3,)
    assert [case.shape for case in X] == [(2, 3), (2, 2), (2, 5)]
    assert all(case.dtype == np.float32 for case in X)
    np.testing.assert_array_equal(X[1], [[7, 8], [9, 10]])


def test_equal_lengths_declared_unequal_stay_an_object_array(tmp_path):
    # numpy would stack equal shapes into a 3D array if the reader let it
    text = "@equalLength false\n@classLabel true a\n@data\n1,2:a\n3,4:a\n"
    X, _ = load_ts_file(write(tmp_path, text))
    assert X.dtype == object and [case.shape for case in X] == [(1, 2), (1, 2)]


def test_missing_values(tmp_path):
    text = "@missing true\n@classLabel true a\n@data\n1,?,3:a\nNaN,2,?:a\n"
    X, _ = load_ts_file(write(tmp_path, text))
    np.testing.assert_array_equal(np.isnan(X[:, 0]), [[0, 1, 0], [1, 0, 1]])


def test_regression_targets_are_floats(tmp_path):
    text = "@targetLabel true\n@data\n1,2,3:0.25\n4,5,6:-3\n"
    X, y = load_ts_file(write(tmp_path, text))
    assert y.dtype == np.float64 and y.tolist() == [0.25, -3.0]


def test_no_labels(tmp_path):
    X, y = load_ts_file(write(tmp_path, "@classLabel false\n@data\n1,2,3\n4,5,6\n"))
    assert y is None and X.shape == (2, 1, 3)


def test_unknown_tags_are_kept(tmp_path):
    text = "@source somewhere\n@classLabel true a\n@data\n1,2:a\n"
    _, _, header = load_ts_file(write(tmp_path, text), return_metadata=True)
    assert header["source"] == "somewhere"


@pytest.mark.parametrize("load", [load_gunpoint, load_basic_motions])
def test_round_trip_of_the_bundled_data(tmp_path, load):
    X, y = load(split="test", return_X_y=True)
    path = write_ts(tmp_path / "Bundled_TEST.ts", X, y)
    X_read, y_read = load_ts_file(path)
    np.testing.assert_array_equal(X_read, X)
    np.testing.assert_array_equal(y_read, y)


def test_round_trip_of_unequal_lengths_with_missing_values(tmp_path):
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(3, length)).astype(np.float32) for length in (7, 29, 12)]
    X[1][2, 5] = np.nan
    y = np.array(["x", "y", "x"])
    X_read, y_read = load_ts_file(write_ts(tmp_path / "Ragged_TRAIN.ts", X, y))
    for case, case_read in zip(X, X_read, strict=True):
        np.testing.assert_array_equal(case_read, case)
    np.testing.assert_array_equal(y_read, y)


HEADER = "@problemName Toy\n@univariate true\n@classLabel true 1 2\n@data\n"


@pytest.mark.parametrize(("text", "line", "message"), [
    # the example of the issue: a second channel in a univariate file
    (HEADER + "1,2,3:1\n1,2,3:4,5,6:2\n", 6, "expected 1 channel, found 2"),
    (HEADER + "1,2,x:1\n", 5, "channel 1: 'x' is not a number"),
    (HEADER + "1,2,3:3\n", 5, "class label '3' is not among those declared by @classLabel (1, 2)"),
    (HEADER + "1,2,3:\n", 5, "the label after the last ':' is missing"),
    (HEADER + "1,,3:1\n", 5, "channel 1: '' is not a number"),
    ("@univariate false\n@dimensions 2\n@classLabel true a\n@data\n1,2:3:a\n", 5,
     "the channels of a case must have the same length, found lengths 2, 1"),
    ("@equalLength true\n@seriesLength 3\n@classLabel true a\n@data\n1,2,3:a\n1,2:a\n", 6,
     "expected 3 values per channel (the header says @equalLength true), found 2"),
    ("@equalLength true\n@classLabel true a\n@data\n1,2,3:a\n1,2:a\n", 5,
     "expected 3 values per channel"),
    ("@univariate false\n@dimensions 3\n@classLabel true a\n@data\n1:2:a\n", 5,
     "expected 3 channels, found 2"),
    ("@univariate true\n@classLabel false\n@data\n1,2:3,4\n", 4,
     "expected 1 channel, found 2 (is the header missing @classLabel true?)"),
    ("@targetLabel true\n@data\n1,2:high\n", 3, "the regression target 'high' is not a number"),
    ("@problemName Toy\n1,2,3:1\n@data\n", 2,
     "expected a header line (@tag value) or a comment (#) before @data, found '1,2,3:1'"),
    ("@univariate maybe\n@data\n", 1, "@univariate must be true or false, found 'maybe'"),
    ("@dimensions two\n@data\n", 1, "@dimensions must be a positive integer, found 'two'"),
    ("@classLabel true\n@data\n", 1, "@classLabel true must be followed by the class labels"),
    ("@univariate true\n@dimensions 2\n@data\n1:1\n", 3,
     "the header says @univariate true but @dimensions 2"),
    ("@timeStamps true\n@data\n", 1, "@timeStamps true is not supported"),
    ("@classLabel true a\n@data\n(2020-01-01 00:00:00,1.0):a\n", 3,
     "found a (timestamp,value) pair but the header has no @timeStamps true"),
    ("@classLabel true a\n@targetLabel true\n@data\n", 3,
     "the header has both @classLabel true and @targetLabel true"),
    (HEADER + "\n# nothing here\n", 4, "no cases after @data"),
])
def test_errors_name_the_file_the_line_and_the_fault(tmp_path, text, line, message):
    error = error_of(tmp_path, text)
    assert str(error).startswith(f"Toy_TRAIN.ts line {line}: ")
    assert message in str(error)
    assert error.line == line and error.path.name == "Toy_TRAIN.ts"


def test_the_issue_example_reads_exactly(tmp_path):
    text = HEADER.replace("Toy", "GunPoint") + "\n".join(["1,2:1"] * 7) + "\n1,2:3,4:1\n"
    with pytest.raises(ValueError, match=re.escape(
            "GunPoint_TRAIN.ts line 12: expected 1 channel, found 2")):
        load_ts_file(write(tmp_path, text, "GunPoint_TRAIN.ts"))


def test_no_data_section(tmp_path):
    error = error_of(tmp_path, "@problemName Toy\n@univariate true\n")
    assert str(error) == "Toy_TRAIN.ts: no @data line: the file has a header but no data section"
    assert error.line is None


def test_the_error_survives_pickling(tmp_path):
    error = error_of(tmp_path, HEADER + "1,2,x:1\n")
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == str(error) and copy.line == 5


def test_a_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_ts_file(tmp_path / "absent.ts")
