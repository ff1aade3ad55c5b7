"""Cache records: a persisted result stored under its cache key, with an expiration.

A record is the result file itself (see `headwater.persistence.records`), so
any process that shares the storage path (or bucket) shares the cache. This
module turns "look up key K" into Cached / miss, and "store value V under K"
into an atomic write, reporting unreadable records instead of failing runs.
"""

from __future__ import annotations

import os
import time
from typing import Any

from headwater.persistence.records import (
    CorruptRecordError,
    ResultRecord,
    dump_record,
    load_record,
)
from headwater.persistence.result_storage import LocalResultStorage, ResultStorage

__all__ = ["CacheMiss", "read_cached", "write_record"]


class CacheMiss(Exception):
    """No usable record; `reason` says why when it is worth reporting (corrupt, unreadable)."""

    def __init__(self, reason: str | None = None) -> None:
        self.reason = reason
        super().__init__(reason or "cache miss")


_records: dict[str, tuple[tuple[int, int, int], ResultRecord]] = {}
_MEMO_ENTRIES = 2048
_MEMO_PAYLOAD = 1 << 20


def _read_local(storage: LocalResultStorage, key: str) -> ResultRecord:
    """A local record, reusing the parsed bytes while the file is unchanged (one stat)."""
    path = storage.location(key)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise CacheMiss() from None
    sig = (st.st_mtime_ns, st.st_size, st.st_ino)
    found = _records.get(path)
    if found is not None and found[0] == sig:
        return found[1]
    blob = storage.read(key)
    if blob is None:
        raise CacheMiss()
    record = load_record(blob)
    if len(blob) <= _MEMO_PAYLOAD:
        if len(_records) >= _MEMO_ENTRIES:
            _records.clear()
        _records[path] = (sig, record)
    return record


def read_cached(storage: ResultStorage, key: str, now: float | None = None) -> Any:
    """The value stored under `key`; CacheMiss when absent, expired, corrupt or unreadable.

    The value is deserialised on every hit, so callers never share (and mutate) one object.
    """
    try:
        if isinstance(storage, LocalResultStorage):
            record = _read_local(storage, key)
        else:
            blob = storage.read(key)
            if blob is None:
                raise CacheMiss()
            record = load_record(blob)
        if record.expired(now):
            raise CacheMiss()
        return record.value()
    except CacheMiss:
        raise
    except CorruptRecordError as exc:
        raise CacheMiss(f"cache record {storage.location(key)} is corrupt ({exc})") from None
    except Exception as exc:
        raise CacheMiss(f"cannot read cache record {storage.location(key)}: {exc!r}") from None


def write_record(
    storage: ResultStorage,
    key: str,
    value: Any,
    serializer: Any,
    expiration_seconds: float | None,
    staged: list[tuple[ResultStorage, str, bytes]] | None = None,
    **meta: Any,
) -> None:
    """Serialise `value` and store it under `key` (atomically for local storage); with
    `staged` (a transaction's list), append the write to it instead, for commit time."""
    expiration = time.time() + expiration_seconds if expiration_seconds is not None else None
    blob = dump_record(value, serializer, expiration, **meta)
    if staged is not None:
        staged.append((storage, key, blob))
    else:
        storage.write(key, blob)
