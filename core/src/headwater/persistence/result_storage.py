"""Where results go: `result_storage` resolved to something that reads and writes keys.

Accepts what Prefect does: a file system block (anything with `read_path` /
`write_path`), a `"slug/name"` string of a saved block, or a path; None means
the default, `HEADWATER_RESULTS_LOCAL_STORAGE_PATH` or `HEADWATER_HOME/storage`.
Local directories get a fast path (plain `open`, atomic rename) because a
cache hit must cost microseconds, not the milliseconds of a block round trip.
Resolution is memoised: loading a saved block per task call would dominate.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from pathlib import Path
from typing import Any

from headwater import settings

__all__ = [
    "BlockResultStorage",
    "LocalResultStorage",
    "ResultStorage",
    "ResultStorageError",
    "resolve_storage",
]

_SLUG_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*/[^/\\]+$")


class ResultStorageError(OSError):
    """A result could not be written; the message names the location and what to do."""


class ResultStorage:
    """Read and write whole blobs by key. `read` returns None when the key is absent."""

    description = "storage"

    def read(self, key: str) -> bytes | None:
        raise NotImplementedError

    def write(self, key: str, data: bytes) -> None:
        raise NotImplementedError

    def location(self, key: str) -> str:
        return f"{self.description}:{key}"


class LocalResultStorage(ResultStorage):
    """A local directory: files named by key, written atomically (temp file + rename)."""

    def __init__(self, basepath: str | os.PathLike[str]) -> None:
        self.basepath = os.path.abspath(os.path.expanduser(os.fspath(basepath)))
        self.description = self.basepath
        self._made = False

    def _path(self, key: str) -> str:
        if "/" in key or "\\" in key or key in ("", ".", ".."):
            key = key.replace("\\", "/")
            path = os.path.normpath(os.path.join(self.basepath, key))
            if not path.startswith(self.basepath + os.sep):
                raise ValueError(f"Result key {key!r} points outside {self.basepath}")
            return path
        return self.basepath + os.sep + key

    def read(self, key: str) -> bytes | None:
        try:
            with open(self._path(key), "rb") as f:
                return f.read()
        except FileNotFoundError:
            return None

    def write(self, key: str, data: bytes) -> None:
        path = self._path(key)
        directory = os.path.dirname(path)
        try:
            if not self._made or directory != self.basepath:
                os.makedirs(directory, exist_ok=True)
                self._made = True
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=".hw-", suffix=".tmp")
        except OSError as exc:
            raise ResultStorageError(
                f"cannot write results to {path} ({type(exc).__name__}: {exc.strerror or exc}); "
                f"point result_storage (or HEADWATER_RESULTS_LOCAL_STORAGE_PATH) at a writable "
                f"directory"
            ) from exc
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    def location(self, key: str) -> str:
        return self._path(key)


class BlockResultStorage(ResultStorage):
    """Any WritableFileSystem block (S3Bucket, GcsBucket, ...)."""

    def __init__(self, block: Any) -> None:
        self.block = block
        name = getattr(block, "_block_document_name", None)
        slug = (
            block.get_block_type_slug()
            if hasattr(block, "get_block_type_slug")
            else type(block).__name__
        )
        self.description = f"{slug}/{name}" if name else slug

    def read(self, key: str) -> bytes | None:
        try:
            return bytes(self.block.read_path(key))
        except (FileNotFoundError, ValueError, KeyError):
            return None
        except Exception as exc:  # cloud SDKs raise their own "not found" errors
            text = str(exc).lower()
            if (
                "not found" in text
                or "nosuchkey" in text
                or "404" in text
                or "does not exist" in text
            ):
                return None
            raise

    def write(self, key: str, data: bytes) -> None:
        try:
            self.block.write_path(key, data)
        except Exception as exc:
            raise ResultStorageError(
                f"cannot write results to {self.location(key)} ({exc!r}); check the block's "
                f"credentials and location, or point result_storage at a writable one"
            ) from exc


_memo: dict[Any, tuple[Any, ResultStorage]] = {}
_memo_lock = threading.Lock()


def default_storage_path() -> str:
    raw = settings.get("results_local_storage_path")
    return os.path.expanduser(raw) if raw else str(settings.home() / "storage")


_default: list[Any] = [None, None]
_default_inputs = settings.watch("results_local_storage_path", "home")


def _default_storage() -> ResultStorage:
    env = _default_inputs()
    if _default[0] != env:
        _default[1] = LocalResultStorage(default_storage_path())
        _default[0] = env
    return _default[1]  # type: ignore[no-any-return]


def resolve_storage(spec: Any) -> ResultStorage:
    """A ResultStorage for a block, a "slug/name" string, a path, or None (the default)."""
    if isinstance(spec, ResultStorage):
        return spec
    if spec is None:
        return _default_storage()
    if isinstance(spec, (str, os.PathLike)):
        memo_key: Any = (os.fspath(spec), settings.get("home"))
    else:
        memo_key = id(spec)
    found = _memo.get(memo_key)
    if found is not None and (found[0] is spec or not isinstance(memo_key, int)):
        return found[1]
    storage = _resolve(spec)
    with _memo_lock:
        if len(_memo) > 256:
            _memo.clear()
        _memo[memo_key] = (spec, storage)
    return storage


def _resolve(spec: Any) -> ResultStorage:
    if isinstance(spec, str) and _SLUG_NAME.match(spec) and not Path(spec).exists():
        from headwater.blocks.core import Block
        from headwater.blocks.errors import BlockNotFoundError, BlockTypeNotFoundError

        try:
            return _from_block(Block.load(spec))
        except (BlockNotFoundError, BlockTypeNotFoundError):
            pass  # not a saved block: a relative path after all
    if isinstance(spec, (str, os.PathLike)):
        return LocalResultStorage(spec)
    return _from_block(spec)


def _from_block(block: Any) -> ResultStorage:
    from headwater.blocks.filesystems import LocalFileSystem

    if isinstance(block, LocalFileSystem):
        return LocalResultStorage(block.basepath or ".")
    if callable(getattr(block, "read_path", None)) and callable(getattr(block, "write_path", None)):
        return BlockResultStorage(block)
    raise TypeError(
        f"result_storage must be a file system block (with read_path/write_path), a "
        f"'slug/name' of a saved one, or a path; got {block!r}"
    )
