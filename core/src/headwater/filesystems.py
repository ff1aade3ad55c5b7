"""Prefect's `prefect.filesystems` path for the filesystem blocks (ported imports keep working)."""

from headwater.blocks.filesystems import (
    LocalFileSystem,
    ReadableDeploymentStorage,
    ReadableFileSystem,
    WritableDeploymentStorage,
    WritableFileSystem,
)

__all__ = [
    "LocalFileSystem",
    "ReadableDeploymentStorage",
    "ReadableFileSystem",
    "WritableDeploymentStorage",
    "WritableFileSystem",
]
