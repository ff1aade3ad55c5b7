"""LocalFileSystem: read_path / write_path under basepath, directories, atomic writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from headwater.blocks import LocalFileSystem, WritableFileSystem


def test_read_write(tmp_path: Path) -> None:
    fs = LocalFileSystem(basepath=str(tmp_path))
    assert isinstance(fs, WritableFileSystem)
    where = fs.write_path("a/b.bin", b"payload")
    assert Path(where) == tmp_path / "a" / "b.bin"
    assert fs.read_path("a/b.bin") == b"payload"
    assert not [p for p in (tmp_path / "a").iterdir() if p.name.endswith(".tmp")]


def test_outside_basepath_refused(tmp_path: Path) -> None:
    fs = LocalFileSystem(basepath=str(tmp_path / "base"))
    with pytest.raises(ValueError, match="outside"):
        fs.write_path("../escape", b"x")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        LocalFileSystem(basepath=str(tmp_path)).read_path("nope")


def test_directories(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "pkg").mkdir(parents=True)
    (src / "pkg" / "m.py").write_text("x = 1\n")
    (src / "skip.log").write_text("log\n")
    ignore = tmp_path / ".ignore"
    ignore.write_text("*.log\n")
    fs = LocalFileSystem(basepath=str(tmp_path / "store"))
    copied = fs.put_directory(local_path=str(src), to_path="code", ignore_file=str(ignore))
    assert copied == 1
    assert (tmp_path / "store" / "code" / "pkg" / "m.py").exists()
    assert not (tmp_path / "store" / "code" / "skip.log").exists()
    out = tmp_path / "out"
    fs.get_directory(from_path="code", local_path=str(out))
    assert (out / "pkg" / "m.py").read_text() == "x = 1\n"
