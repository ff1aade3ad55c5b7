"""Blocks: typed configuration and credentials, saved by name, secrets encrypted at rest.

    from headwater.blocks.system import Secret

    Secret(value="hunter2").save("db-password")
    Secret.load("db-password").get()

Names here load lazily so that importing `headwater.blocks` does not import
pydantic until a block is actually used.
"""

from __future__ import annotations

from headwater.utilities.lazy import lazy_exports

__all__ = [
    "Block",
    "BlockExistsError",
    "BlockNotFoundError",
    "CredentialsBlock",
    "DatabaseBlock",
    "EncryptionKeyError",
    "InvalidBlockRegistration",
    "JobBlock",
    "JobRun",
    "LocalFileSystem",
    "NotificationBlock",
    "ObjectStorageBlock",
    "Operation",
    "Secret",
    "SecretDict",
    "SecretStr",
    "WritableFileSystem",
]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from headwater.blocks.abstract import (
        CredentialsBlock,
        DatabaseBlock,
        JobBlock,
        JobRun,
        NotificationBlock,
        ObjectStorageBlock,
        Operation,
    )
    from headwater.blocks.core import Block
    from headwater.blocks.errors import (
        BlockExistsError,
        BlockNotFoundError,
        EncryptionKeyError,
        InvalidBlockRegistration,
    )
    from headwater.blocks.fields import SecretDict, SecretStr
    from headwater.blocks.filesystems import LocalFileSystem, WritableFileSystem
    from headwater.blocks.system import Secret
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
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
        },
    )
