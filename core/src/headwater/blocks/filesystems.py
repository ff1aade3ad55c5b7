"""File system blocks: where results, caches and deployment code are read and written.

`WritableFileSystem` (`read_path` / `write_path`) is what result storage
accepts; `LocalFileSystem` is the default. Its writes are atomic (temp file
then rename) so a reader in another process never sees half a result.
"""

from __future__ import annotations

import abc
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from pydantic import Field

from headwater.blocks.core import Block

__all__ = [
    "LocalFileSystem",
    "ReadableDeploymentStorage",
    "ReadableFileSystem",
    "WritableDeploymentStorage",
    "WritableFileSystem",
]


class ReadableFileSystem(Block, abc.ABC):
    _block_schema_capabilities = ["read-path"]

    @abc.abstractmethod
    def read_path(self, path: str) -> bytes: ...


class WritableFileSystem(ReadableFileSystem, abc.ABC):
    _block_schema_capabilities = ["read-path", "write-path"]

    @abc.abstractmethod
    def write_path(self, path: str, content: bytes) -> str: ...


class ReadableDeploymentStorage(Block, abc.ABC):
    _block_schema_capabilities = ["get-directory"]

    @abc.abstractmethod
    def get_directory(
        self, from_path: str | None = None, local_path: str | None = None
    ) -> None: ...


class WritableDeploymentStorage(ReadableDeploymentStorage, abc.ABC):
    _block_schema_capabilities = ["get-directory", "put-directory"]

    @abc.abstractmethod
    def put_directory(
        self,
        local_path: str | None = None,
        to_path: str | None = None,
        ignore_file: str | None = None,
    ) -> int: ...


class LocalFileSystem(WritableFileSystem, WritableDeploymentStorage):
    """Files on this machine (or a shared mount) under `basepath`."""

    _block_type_name = "Local File System"
    _documentation_url = "https://docs.headwater.dev/blocks/#localfilesystem"

    basepath: str | None = Field(
        default=None, description="Directory that relative paths are resolved against."
    )

    def _resolve_path(self, path: str | None) -> Path:
        base = Path(self.basepath).expanduser().resolve() if self.basepath else None
        if path is None:
            if base is None:
                raise ValueError("LocalFileSystem has no basepath; give a path")
            return base
        target = Path(path).expanduser()
        if base is None:
            return target.resolve()
        resolved = (base / target).resolve() if not target.is_absolute() else target.resolve()
        if resolved != base and base not in resolved.parents:
            raise ValueError(f"Path {path!r} is outside the LocalFileSystem basepath {str(base)!r}")
        return resolved

    def read_path(self, path: str) -> bytes:
        target = self._resolve_path(path)
        if not target.is_file():
            raise ValueError(f"Path {str(target)!r} does not exist or is not a file")
        return target.read_bytes()

    def write_path(self, path: str, content: bytes) -> str:
        target = self._resolve_path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(content)
            os.replace(tmp, target)
        except BaseException:
            with _suppress():
                os.unlink(tmp)
            raise
        return str(target)

    def get_directory(self, from_path: str | None = None, local_path: str | None = None) -> None:
        """Copy `from_path` (default: basepath) into `local_path` (default: the current directory)."""
        source = self._resolve_path(from_path)
        dest = Path(local_path or ".").resolve()
        if source == dest:
            return
        shutil.copytree(source, dest, dirs_exist_ok=True)

    def put_directory(
        self,
        local_path: str | None = None,
        to_path: str | None = None,
        ignore_file: str | None = None,
    ) -> int:
        """Copy `local_path` (default: the current directory) under `to_path`; returns files copied."""
        source = Path(local_path or ".").resolve()
        dest = self._resolve_path(to_path)
        patterns: list[str] = []
        if ignore_file:
            patterns = [
                ln.strip()
                for ln in Path(ignore_file).read_text().splitlines()
                if ln.strip() and not ln.startswith("#")
            ]
        copied = 0

        def copy(src: Any, dst: Any) -> Any:
            nonlocal copied
            copied += 1
            return shutil.copy2(src, dst)

        if source != dest:
            shutil.copytree(
                source,
                dest,
                dirs_exist_ok=True,
                copy_function=copy,
                ignore=shutil.ignore_patterns(*patterns) if patterns else None,
            )
        return copied


class _suppress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return True
