"""Blocks: typed configuration and credentials, saved by name, secrets encrypted at rest.

    from headwater.blocks.system import Secret

    Secret(value="hunter2").save("db-password")
    Secret.load("db-password").get()

Names here load lazily so that importing `headwater.blocks` does not import
pydantic until a block is actually used.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Block": "headwater.blocks.core",
    "BlockNotFoundError": "headwater.blocks.errors",
    "BlockExistsError": "headwater.blocks.errors",
    "EncryptionKeyError": "headwater.blocks.errors",
    "InvalidBlockRegistration": "headwater.blocks.errors",
    "CredentialsBlock": "headwater.blocks.abstract",
    "NotificationBlock": "headwater.blocks.abstract",
    "DatabaseBlock": "headwater.blocks.abstract",
    "ObjectStorageBlock": "headwater.blocks.abstract",
    "JobBlock": "headwater.blocks.abstract",
    "JobRun": "headwater.blocks.abstract",
    "Operation": "headwater.blocks.abstract",
    "SecretStr": "headwater.blocks.fields",
    "SecretDict": "headwater.blocks.fields",
    "Secret": "headwater.blocks.system",
    "LocalFileSystem": "headwater.blocks.filesystems",
    "WritableFileSystem": "headwater.blocks.filesystems",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'headwater.blocks' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
