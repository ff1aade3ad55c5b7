"""`ResultStore`: Prefect 3's object for reading and writing result records by key.

Records are headwater's result files (`headwater.persistence.records`), so a
task's cached or persisted result is readable here under its cache or storage
key, and a record written here serves as a cache record. `result_storage` is
what a task's option takes (a file system block, a "slug/name", a path, or
None for the default); locking goes through a `headwater.locking` manager.
"""

from __future__ import annotations

import asyncio
import copy
import datetime
import os
import socket
import threading
import uuid
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from headwater import settings
from headwater.persistence.records import dump_record, load_record
from headwater.persistence.result_storage import ResultStorage, resolve_storage
from headwater.persistence.serializers import Serializer, get_serializer

__all__ = [
    "DEFAULT_STORAGE_KEY_FN",
    "ResultRecord",
    "ResultRecordMetadata",
    "ResultStore",
    "get_result_store",
]

R = TypeVar("R")


def DEFAULT_STORAGE_KEY_FN() -> str:
    return uuid.uuid4().hex


@dataclass
class ResultRecordMetadata:
    storage_key: str
    expiration: datetime.datetime | None
    serializer: Serializer
    storage_block_id: uuid.UUID | None = None


@dataclass
class ResultRecord(Generic[R]):
    """A value and where it is stored; `.result` is the value."""

    result: R
    metadata: ResultRecordMetadata


class ResultStore:
    """Read, write and lock result records in `result_storage`."""

    def __init__(
        self,
        result_storage: Any = None,
        metadata_storage: Any = None,
        lock_manager: Any = None,
        cache_result_in_memory: bool = True,
        serializer: Any = None,
        storage_key_fn: Any = DEFAULT_STORAGE_KEY_FN,
    ) -> None:
        if metadata_storage is not None:
            raise ValueError(
                "metadata_storage is not supported: headwater keeps a record's metadata in "
                "the record itself; leave metadata_storage unset"
            )
        self.result_storage = result_storage
        self.metadata_storage = None
        self.lock_manager = lock_manager
        self.cache_result_in_memory = cache_result_in_memory
        self.serializer: Serializer = get_serializer(
            serializer if serializer is not None else settings.get("results_default_serializer")
        )
        if not callable(storage_key_fn):
            raise TypeError(
                f"storage_key_fn must be a function returning a key, got {storage_key_fn!r}"
            )
        self.storage_key_fn = storage_key_fn
        self.cache: dict[str, ResultRecord[Any]] = {}

    def __repr__(self) -> str:
        return (
            f"ResultStore(result_storage={self._storage().description!r}, "
            f"serializer={self.serializer.type!r})"
        )

    def _storage(self) -> ResultStorage:
        return resolve_storage(self.result_storage)

    # --- configuration from a flow or task ------------------------------------
    def update_for_flow(self, flow: Any) -> ResultStore:
        """A copy using `flow`'s result_storage / serializer where it sets them."""
        return self._updated(flow)

    def update_for_task(self, task: Any) -> ResultStore:
        """A copy using `task`'s result_storage / serializer where it sets them."""
        return self._updated(task)

    def _updated(self, owner: Any) -> ResultStore:
        new = copy.copy(self)
        new.cache = {}
        if getattr(owner, "result_storage", None) is not None:
            new.result_storage = owner.result_storage
        if getattr(owner, "result_serializer", None) is not None:
            new.serializer = get_serializer(owner.result_serializer)
        new.cache_result_in_memory = getattr(
            owner, "cache_result_in_memory", self.cache_result_in_memory
        )
        return new

    # --- records --------------------------------------------------------------
    def exists(self, key: str) -> bool:
        """True if a record is stored under `key` and has not expired."""
        blob = self._storage().read(key)
        return blob is not None and not load_record(blob).expired()

    def read(self, key: str, holder: str | None = None) -> ResultRecord[Any]:
        """The record under `key`; waits first if another holder has it locked."""
        holder = holder or self.generate_default_holder()
        if self.lock_manager is not None and not self.is_lock_holder(key, holder):
            self.wait_for_lock(key)
        if self.cache_result_in_memory and key in self.cache:
            return self.cache[key]
        storage = self._storage()
        blob = storage.read(key)
        if blob is None:
            raise FileNotFoundError(
                f"No result record under key {key!r} at {storage.location(key)}; "
                f"check the key, or store.exists(key) first"
            )
        stored = load_record(blob)
        expiration = stored.expiration
        record = ResultRecord(
            stored.value(),
            ResultRecordMetadata(
                storage_key=key,
                expiration=(
                    datetime.datetime.fromtimestamp(expiration, datetime.timezone.utc)
                    if expiration is not None
                    else None
                ),
                serializer=get_serializer(stored.metadata.get("serializer", "pickle")),
            ),
        )
        if self.cache_result_in_memory:
            self.cache[key] = record
        return record

    def create_result_record(
        self, obj: Any, key: str | None = None, expiration: datetime.datetime | None = None
    ) -> ResultRecord[Any]:
        return ResultRecord(
            obj,
            ResultRecordMetadata(
                storage_key=key or self.storage_key_fn(),
                expiration=expiration,
                serializer=self.serializer,
            ),
        )

    def write(
        self,
        obj: Any,
        key: str | None = None,
        expiration: datetime.datetime | None = None,
        holder: str | None = None,
    ) -> None:
        """Store `obj` under `key` (a new key from `storage_key_fn` when None)."""
        record = self.create_result_record(obj, key=key, expiration=expiration)
        self.persist_result_record(record, holder=holder)

    def persist_result_record(
        self, result_record: ResultRecord[Any], holder: str | None = None
    ) -> None:
        key = result_record.metadata.storage_key
        holder = holder or self.generate_default_holder()
        if (
            self.lock_manager is not None
            and self.is_locked(key)
            and not self.is_lock_holder(key, holder)
        ):
            raise RuntimeError(
                f"Cannot write the result record {key!r}: it is locked by another holder. "
                f"Acquire the lock first (store.acquire_lock(key, holder)) or wait for it"
            )
        expiration = result_record.metadata.expiration
        blob = dump_record(
            result_record.result,
            result_record.metadata.serializer,
            expiration.timestamp() if expiration is not None else None,
            writer="ResultStore",
        )
        self._storage().write(key, blob)
        if self.cache_result_in_memory:
            self.cache[key] = result_record

    async def aexists(self, key: str) -> bool:
        return await asyncio.to_thread(self.exists, key)

    async def aread(self, key: str, holder: str | None = None) -> ResultRecord[Any]:
        holder = holder or self.generate_default_holder()
        if self.lock_manager is not None and not self.is_lock_holder(key, holder):
            await self.lock_manager.await_for_lock(key)
        return await asyncio.to_thread(self.read, key, holder)

    async def awrite(
        self,
        obj: Any,
        key: str | None = None,
        expiration: datetime.datetime | None = None,
        holder: str | None = None,
    ) -> None:
        holder = holder or self.generate_default_holder()
        await asyncio.to_thread(self.write, obj, key, expiration, holder)

    # --- locks ----------------------------------------------------------------
    @staticmethod
    def generate_default_holder() -> str:
        """host:pid:thread (and the asyncio task, inside one): who is asking for a lock."""
        holder = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        try:
            task = asyncio.current_task()
        except RuntimeError:
            task = None
        return f"{holder}:{id(task)}" if task is not None else holder

    def supports_isolation_level(self, level: Any) -> bool:
        """READ_COMMITTED always; SERIALIZABLE needs a lock manager."""
        name = str(getattr(level, "value", level)).upper()
        if name == "READ_COMMITTED":
            return True
        if name == "SERIALIZABLE":
            return self.lock_manager is not None
        raise ValueError(f"Unknown isolation level {level!r}; use READ_COMMITTED or SERIALIZABLE")

    def _locks(self) -> Any:
        if self.lock_manager is None:
            raise ValueError(
                "This ResultStore has no lock manager; pass one, e.g. "
                "ResultStore(lock_manager=MemoryLockManager()) from headwater.locking.memory"
            )
        return self.lock_manager

    def acquire_lock(
        self, key: str, holder: str | None = None, timeout: float | None = None
    ) -> bool:
        return bool(
            self._locks().acquire_lock(key, holder or self.generate_default_holder(), timeout)
        )

    async def aacquire_lock(
        self, key: str, holder: str | None = None, timeout: float | None = None
    ) -> bool:
        locks = self._locks()
        return bool(
            await locks.aacquire_lock(key, holder or self.generate_default_holder(), timeout)
        )

    def release_lock(self, key: str, holder: str | None = None) -> None:
        self._locks().release_lock(key, holder or self.generate_default_holder())

    def is_locked(self, key: str) -> bool:
        return bool(self._locks().is_locked(key))

    def is_lock_holder(self, key: str, holder: str | None = None) -> bool:
        return bool(self._locks().is_lock_holder(key, holder or self.generate_default_holder()))

    def wait_for_lock(self, key: str, timeout: float | None = None) -> bool:
        return bool(self._locks().wait_for_lock(key, timeout))

    async def await_for_lock(self, key: str, timeout: float | None = None) -> bool:
        return bool(await self._locks().await_for_lock(key, timeout))


def get_result_store() -> ResultStore:
    """A ResultStore over the default result storage and serializer."""
    return ResultStore()
