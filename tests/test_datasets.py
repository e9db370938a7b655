"""Tests of the dataset loaders: bundled data, load_dataset's resolution, .npz files, errors."""

import numpy as np
import pytest
from toy_data import toy_series, write_toy_pair, write_ts, write_tsv

from inceptionsk.datasets import (
    BUNDLED_DATASETS,
    load_basic_motions,
    load_dataset,
    load_gunpoint,
    load_npz,
)


@pytest.mark.parametrize(("load", "name", "shapes", "n_classes"), [
    (load_gunpoint, "GunPoint", ((50, 1, 150), (150, 1, 150)), 2),
    (load_basic_motions, "BasicMotions", ((40, 6, 100), (40, 6, 100)), 4),
])
def test_bundled_loaders_follow_sklearn_conventions(load, name, shapes, n_classes):
    train, test = load(split="train"), load(split="test")
    assert (train.data.shape, test.data.shape) == shapes
    assert train.data.dtype == np.float32
    assert train.name == name and len(train.target_names) == n_classes
    assert "archive" in train.DESCR.lower() or len(train.DESCR) > 100
    X, y = load(return_X_y=True)
    assert len(X) == len(y) == shapes[0][0] + shapes[1][0]
    # split=None is train then test
    np.testing.assert_array_equal(X[:shapes[0][0]], train.data)
    np.testing.assert_array_equal(y[shapes[0][0]:], test.target)


def test_a_bad_split_is_refused():
    with pytest.raises(ValueError, match="split must be 'train', 'test' or None"):
        load_gunpoint(split="validation")
    with pytest.raises(ValueError, match="split must be"):
        load_dataset("GunPoint", split="TRAIN")


@pytest.mark.parametrize("name", ["GunPoint", "gunpoint", "GUNPOINT"])
def test_load_dataset_by_bundled_name(name):
    X, y = load_dataset(name, split="test", return_X_y=True)
    X_ref, y_ref = load_gunpoint(split="test", return_X_y=True)
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref)
    assert BUNDLED_DATASETS == ("BasicMotions", "GunPoint")


@pytest.mark.parametrize("fmt", ["ts", "tsv"])
def test_load_dataset_from_a_folder_and_from_either_file_of_the_pair(tmp_path, fmt):
    folder = write_toy_pair(tmp_path, fmt=fmt)
    X_train, y_train = toy_series(16, seed=0)
    X_test, _ = toy_series(10, seed=1)
    data = load_dataset(folder, split="train")
    np.testing.assert_array_equal(data.data, X_train)
    np.testing.assert_array_equal(data.target, y_train)
    assert data.name == "Toy" and sorted(data.target_names) == ["flat", "sine"]
    assert data.source.endswith(f"Toy_TRAIN.{fmt}")
    for file in (f"Toy_TRAIN.{fmt}", f"Toy_TEST.{fmt}"):
        X, _ = load_dataset(folder / file, split="test", return_X_y=True)
        np.testing.assert_array_equal(X, X_test)
    both = load_dataset(str(folder))
    assert both.data.shape == (26, 1, 24)
    assert "Toy_TEST" in both.source and "Toy_TRAIN" in both.source


def test_the_description_of_a_ts_file_is_kept(tmp_path):
    folder = write_toy_pair(tmp_path)
    assert load_dataset(folder, split="test").DESCR == "A toy dataset written by the tests."


def test_a_file_outside_a_pair_is_the_data_for_any_split(tmp_path):
    X, y = toy_series(6)
    path = write_ts(tmp_path / "my_series.ts", X, y)
    for split in ("train", "test"):
        data = load_dataset(path, split=split)
        np.testing.assert_array_equal(data.data, X)
        assert data.name == "my_series"


def test_an_equal_train_and_unequal_test_join_as_an_object_array(tmp_path):
    folder = tmp_path / "Mixed"
    folder.mkdir()
    X_train, y_train = toy_series(4, length=5)
    write_ts(folder / "Mixed_TRAIN.ts", X_train, y_train)
    X_test = [np.ones((1, 3), np.float32), np.zeros((1, 8), np.float32)]
    write_ts(folder / "Mixed_TEST.ts", X_test, np.array(["sine", "flat"]))
    X, y = load_dataset(folder, return_X_y=True)
    assert X.dtype == object and [case.shape[-1] for case in X] == [5, 5, 5, 5, 3, 8]
    assert y.tolist() == [*y_train, "sine", "flat"]


def test_npz_files_of_the_shared_layout(tmp_path):
    ragged = np.empty(3, dtype=object)
    for index, length in enumerate((7, 9, 29)):
        ragged[index] = np.ones((12, length), np.float32)
    path = tmp_path / "Vowels.npz"
    np.savez(path, X_train=ragged, y_train=np.array(["1", "2", "1"]), X_test=ragged[:2],
             y_test=np.array(["2", "2"]), problem_name="JapaneseVowels")
    with pytest.raises(ValueError, match="allow_pickle=True"):
        load_dataset(path)
    data = load_dataset(path, allow_pickle=True)
    assert data.name == "JapaneseVowels" and len(data.data) == 5
    assert [case.shape for case in data.data[-2:]] == [(12, 7), (12, 9)]
    X_test, y_test = load_npz(path, split="test", return_X_y=True, allow_pickle=True)
    assert y_test.tolist() == ["2", "2"]


def test_npz_without_the_arrays_is_refused(tmp_path):
    np.savez(tmp_path / "bad.npz", X=np.zeros((2, 3)))
    with pytest.raises(ValueError, match="bad.npz lacks the arrays X_test, X_train, y_test, "
                                         "y_train"):
        load_dataset(tmp_path / "bad.npz")


def test_an_unknown_name_lists_the_bundled_datasets():
    with pytest.raises(FileNotFoundError) as info:
        load_dataset("NoSuchData")
    assert str(info.value) == (
        "'NoSuchData' is neither a bundled dataset (BasicMotions, GunPoint) nor an existing "
        "file or folder."
    )


def test_a_bad_path_lists_what_its_folder_holds(tmp_path):
    write_toy_pair(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"In .*, it holds: Toy/"):
        load_dataset(tmp_path / "Tyo")


def test_a_folder_without_the_pair_says_what_it_holds(tmp_path):
    folder = tmp_path / "Empty"
    folder.mkdir()
    (folder / "notes.txt").write_text("hello")
    with pytest.raises(FileNotFoundError) as info:
        load_dataset(folder)
    assert "holds no Empty_TRAIN.ts or Empty_TRAIN.tsv; it holds: notes.txt" in str(info.value)


def test_an_archive_folder_points_at_its_dataset_folders(tmp_path):
    write_toy_pair(tmp_path / "Archive", name="Alpha")
    write_toy_pair(tmp_path / "Archive", name="Beta")
    with pytest.raises(FileNotFoundError, match="looks like an archive: pass one of its "
                                                "dataset folders, e.g. .*Alpha"):
        load_dataset(tmp_path / "Archive")


def test_a_missing_partner_file_is_named(tmp_path):
    X, y = toy_series(4)
    path = write_tsv(tmp_path / "Solo_TRAIN.tsv", X, y)
    assert load_dataset(path, split="train").data.shape == (4, 1, 24)
    with pytest.raises(FileNotFoundError, match="The test split of Solo_TRAIN.tsv should be "
                                                "in .*Solo_TEST.tsv, which does not exist"):
        load_dataset(path, split="test")


def test_an_unsupported_file_type_is_refused(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("1,2,3\n")
    with pytest.raises(ValueError, match="data.csv: unsupported file type '.csv'"):
        load_dataset(path)


def test_a_malformed_file_reaches_the_caller_with_its_line(tmp_path):
    folder = write_toy_pair(tmp_path, fmt="tsv")
    with open(folder / "Toy_TEST.tsv", "a", encoding="utf-8") as file:
        file.write("sine\t1\toops\n")
    assert len(load_dataset(folder, split="train").data) == 16
    with pytest.raises(ValueError, match="Toy_TEST.tsv line 11: column 3: 'oops'"):
        load_dataset(folder, split="test")
