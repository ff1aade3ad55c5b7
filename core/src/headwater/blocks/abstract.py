"""The abstract kinds of block, with the methods each kind must provide.

Code that needs "something that can notify" or "a database" accepts these
base classes, so any package's block of that kind plugs in (Slack,
SQLAlchemy, S3, ShellOperation). Names and signatures are Prefect's
(`prefect.blocks.abstract`).
"""

from __future__ import annotations

import abc
import contextlib
import logging
from collections.abc import Iterator
from typing import Any, BinaryIO, Generic, TypeVar

from typing_extensions import Self

from headwater.blocks.core import Block

__all__ = [
    "CredentialsBlock",
    "DatabaseBlock",
    "JobBlock",
    "JobRun",
    "NotificationBlock",
    "NotificationError",
    "ObjectStorageBlock",
    "Operation",
    "SecretBlock",
]

T = TypeVar("T")


class CredentialsBlock(Block, abc.ABC):
    """Credentials for a service; `get_client()` returns an authenticated client."""

    @abc.abstractmethod
    def get_client(self, *args: Any, **kwargs: Any) -> Any: ...


class NotificationError(Exception):
    """A notification could not be sent (raised inside `raise_on_failure()`)."""

    def __init__(self, log: str) -> None:
        self.log = log
        super().__init__(log)


class NotificationBlock(Block, abc.ABC):
    """Sends a message somewhere (Slack, email, a webhook)."""

    _block_schema_capabilities = ["notify"]
    _raise_on_failure: bool = False

    @abc.abstractmethod
    def notify(self, body: str, subject: str | None = None) -> None: ...

    @contextlib.contextmanager
    def raise_on_failure(self) -> Iterator[None]:
        """Inside this block, failures to notify raise NotificationError instead of logging."""
        self._raise_on_failure = True
        try:
            yield
        finally:
            self._raise_on_failure = False


class JobRun(abc.ABC, Generic[T]):
    """A job started by `JobBlock.trigger()`."""

    def __init__(self) -> None:
        self.logger = logging.getLogger(f"headwater.{type(self).__name__}")

    @abc.abstractmethod
    def wait_for_completion(self) -> None: ...

    @abc.abstractmethod
    def fetch_result(self) -> T: ...


class JobBlock(Block, abc.ABC, Generic[T]):
    """A block that starts a job; `trigger()` returns a JobRun handle."""

    @abc.abstractmethod
    def trigger(self) -> JobRun[T]: ...


class Operation(JobBlock[T], abc.ABC):
    """A JobBlock that can also `run()` to completion, and cleans up what it started on exit.

    Use it as a context manager (`with Op(...) as op:`); `close()` stops any
    job still running. Subclasses override `close()`.
    """

    @abc.abstractmethod
    def run(self, *args: Any, **kwargs: Any) -> Any: ...

    def close(self) -> None:
        """Stop and reap anything this operation started (default: nothing to do)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def aclose(self) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


class DatabaseBlock(Block, abc.ABC):
    """A database connection: fetch and execute, usable as a (async) context manager."""

    @abc.abstractmethod
    def fetch_one(
        self, operation: str, parameters: dict[str, Any] | None = None, **kwargs: Any
    ) -> tuple[Any, ...]: ...

    @abc.abstractmethod
    def fetch_many(
        self,
        operation: str,
        parameters: dict[str, Any] | None = None,
        size: int | None = None,
        **kwargs: Any,
    ) -> list[tuple[Any, ...]]: ...

    @abc.abstractmethod
    def fetch_all(
        self, operation: str, parameters: dict[str, Any] | None = None, **kwargs: Any
    ) -> list[tuple[Any, ...]]: ...

    @abc.abstractmethod
    def execute(
        self, operation: str, parameters: dict[str, Any] | None = None, **kwargs: Any
    ) -> None: ...

    @abc.abstractmethod
    def execute_many(
        self, operation: str, seq_of_parameters: list[dict[str, Any]], **kwargs: Any
    ) -> None: ...

    def close(self) -> None:
        """Release connections (override when the block holds any)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()


class ObjectStorageBlock(Block, abc.ABC):
    """Object storage (S3, Azure Blob, GCS): download and upload objects and folders."""

    @abc.abstractmethod
    def download_object_to_path(self, from_path: str, to_path: Any, **kwargs: Any) -> Any: ...

    @abc.abstractmethod
    def download_object_to_file_object(
        self, from_path: str, to_file_object: BinaryIO, **kwargs: Any
    ) -> BinaryIO: ...

    @abc.abstractmethod
    def download_folder_to_path(self, from_folder: str, to_folder: Any, **kwargs: Any) -> Any: ...

    @abc.abstractmethod
    def upload_from_path(
        self, from_path: Any, to_path: str | None = None, **kwargs: Any
    ) -> str: ...

    @abc.abstractmethod
    def upload_from_file_object(
        self, from_file_object: BinaryIO, to_path: str, **kwargs: Any
    ) -> str: ...

    @abc.abstractmethod
    def upload_from_folder(
        self, from_folder: Any, to_folder: str | None = None, **kwargs: Any
    ) -> str | None: ...


class SecretBlock(Block, abc.ABC):
    """A secret kept in an external manager (Vault, AWS Secrets Manager)."""

    @abc.abstractmethod
    def read_secret(self) -> bytes: ...

    @abc.abstractmethod
    def write_secret(self, secret_data: bytes) -> str: ...
