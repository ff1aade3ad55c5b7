"""Object keys under a block's folder prefix, for every object-storage block.

S3, Azure and GCS have no directories: a "folder" is a key prefix. Each storage
block joins the user's path to its folder here, so the same rules hold for all:
keys use "/", a leading "./" or repeated "/" is tidied, and a path that would
leave the folder (`..` past the top, or an absolute path) is refused by name
instead of silently reading or overwriting another tenant's objects.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

__all__ = ["ObjectKeyError", "join_key", "local_files", "relative_key"]


class ObjectKeyError(ValueError):
    """A path that cannot be turned into a key inside the block's folder."""


def _clean_folder(folder: str | None) -> str:
    if not folder:
        return ""
    cleaned = posixpath.normpath(folder.replace("\\", "/")).strip("/")
    return "" if cleaned == "." else cleaned


def join_key(folder: str | None, path: str | os.PathLike[str] | None, *, where: str) -> str:
    """The object key for `path` inside `folder`.

    `where` names the block and bucket/container for error messages, e.g.
    "S3Bucket 'my-bucket'". An empty or None path is the folder itself.
    """
    base = _clean_folder(folder)
    raw = "" if path is None else os.fspath(path).replace("\\", "/")
    if raw.startswith("/") or PurePosixPath(raw).is_absolute() or (len(raw) > 1 and raw[1] == ":"):
        raise ObjectKeyError(
            f"{where}: the path {raw!r} is absolute; give a path relative to the folder "
            f"{base or '(the bucket root)'!r}, e.g. {raw.lstrip('/').split(':')[-1].lstrip('/')!r}."
        )
    trailing = raw.endswith("/")
    relative = posixpath.normpath(raw) if raw else "."
    if relative == ".." or relative.startswith("../"):
        raise ObjectKeyError(
            f"{where}: the path {raw!r} leaves the folder {base or '(the bucket root)'!r} "
            "through '..'; give a path inside it."
        )
    relative = "" if relative == "." else relative
    key = f"{base}/{relative}" if base and relative else base or relative
    return f"{key}/" if trailing and key else key


def relative_key(folder: str | None, key: str) -> str:
    """`key` with the folder prefix taken off (the inverse of `join_key`)."""
    base = _clean_folder(folder)
    if base and (key == base or key.startswith(base + "/")):
        return key[len(base) :].lstrip("/")
    return key


def local_files(folder: str | os.PathLike[str]) -> Iterator[tuple[Path, str]]:
    """Every regular file under `folder`, with its "/"-joined path relative to it.

    Raises FileNotFoundError / NotADirectoryError naming the folder, so an
    upload of a mistyped folder fails before anything is sent.
    """
    root = Path(folder).expanduser()
    if not root.exists():
        raise FileNotFoundError(f"No folder at {str(root)!r} to upload; check the path.")
    if not root.is_dir():
        raise NotADirectoryError(
            f"{str(root)!r} is a file, not a folder; use upload_from_path for a single file."
        )
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_file():
                yield path, path.relative_to(root).as_posix()
