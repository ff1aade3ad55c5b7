"""Keys under a storage block's folder: joined the same way for every cloud package."""

from __future__ import annotations

import pytest
from headwater.blocks.object_keys import ObjectKeyError, join_key, local_files, relative_key

WHERE = "S3Bucket 'data'"


@pytest.mark.parametrize(
    ("folder", "path", "key"),
    [
        ("", "a.txt", "a.txt"),
        (None, "a/b.txt", "a/b.txt"),
        ("results", "a.txt", "results/a.txt"),
        ("/results/", "./x//y.txt", "results/x/y.txt"),
        ("results", "x/../y.txt", "results/y.txt"),
        ("results", "", "results"),
        ("results", None, "results"),
        ("results", "sub/", "results/sub/"),
        ("a\\b", "c\\d.txt", "a/b/c/d.txt"),
    ],
)
def test_join_key(folder, path, key):
    assert join_key(folder, path, where=WHERE) == key


@pytest.mark.parametrize("path", ["../secret", "a/../../b", ".."])
def test_paths_that_leave_the_folder_are_refused(path):
    with pytest.raises(ObjectKeyError, match=r"S3Bucket 'data'.*leaves the folder 'results'"):
        join_key("results", path, where=WHERE)


@pytest.mark.parametrize("path", ["/etc/passwd", "C:/x"])
def test_absolute_paths_are_refused(path):
    with pytest.raises(ObjectKeyError, match="is absolute"):
        join_key("results", path, where=WHERE)


def test_relative_key_inverts_join():
    assert relative_key("results", join_key("results", "x/y", where=WHERE)) == "x/y"
    assert relative_key("", "x/y") == "x/y"
    assert relative_key("results", "resultsother/x") == "resultsother/x"


def test_local_files(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b" / "c.txt").write_text("c")
    assert [rel for _, rel in local_files(tmp_path)] == ["a.txt", "b/c.txt"]
    with pytest.raises(FileNotFoundError, match="No folder at"):
        list(local_files(tmp_path / "missing"))
    with pytest.raises(NotADirectoryError, match="upload_from_path"):
        list(local_files(tmp_path / "a.txt"))
