"""The record a keyed transaction commits, and the isolation level it carries.

A committed transaction writes one result record under its key (the same
file format as task results, so `ResultStore.read(key)` reads it). The
record's header names the isolation level it was committed under: a later
transaction with the same key and a different level is an error that names
the key and the fix, rather than silently mixing locked and unlocked runs.
Transactions open in this process are registered by record location too, so
two live ones on one key with different levels are caught before either
commits.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from headwater.exceptions import ConfigurationError
from headwater.persistence.records import CorruptRecordError, dump_record, load_record
from headwater.persistence.result_storage import resolve_storage

__all__ = ["close_key", "is_committed", "open_key", "write_committed"]

_open: dict[str, tuple[str, Counter[str]]] = {}
_open_lock = threading.Lock()


def _location(store: Any, key: str) -> str:
    return str(resolve_storage(store.result_storage).location(key))


def _mismatch(key: str, where: str, had: str, wanted: str, how: str) -> ConfigurationError:
    return ConfigurationError(
        f"Transaction key {key!r} ({where}) {how} with isolation_level={had} but is now "
        f"used with isolation_level={wanted}. A key keeps one isolation level: pass "
        f"isolation_level=IsolationLevel.{had} here, or use a different key "
        f"(or overwrite=True to replace the committed record)."
    )


def open_key(store: Any, key: str, level: str) -> str:
    """Register a live transaction on `key`; ConfigurationError if one with another level
    is open in this process. Returns the token to pass to `close_key`."""
    where = _location(store, key)
    with _open_lock:
        found = _open.get(where)
        if found is not None and found[0] != level and found[1][found[0]] > 0:
            raise _mismatch(key, where, found[0], level, "is open in this process")
        if found is None or found[1][found[0]] <= 0:
            found = _open[where] = (level, Counter())
        found[1][level] += 1
    return where


def close_key(where: str, level: str) -> None:
    with _open_lock:
        found = _open.get(where)
        if found is None:
            return
        found[1][level] -= 1
        if found[1][level] <= 0:
            del _open[where]


def is_committed(store: Any, key: str, level: str, logger: Any) -> bool:
    """True if a live (unexpired) record is stored under `key`.

    A corrupt record counts as absent (and is replaced at commit); a record
    committed under another isolation level raises ConfigurationError.
    """
    storage = resolve_storage(store.result_storage)
    blob = storage.read(key)
    if blob is None:
        return False
    try:
        record = load_record(blob)
    except CorruptRecordError as exc:
        logger.warning(
            f"Transaction record {storage.location(key)} is unreadable ({exc}); "
            "treating the transaction as not committed."
        )
        return False
    if record.expired():
        return False
    had = record.metadata.get("isolation_level")
    if isinstance(had, str) and had != level:
        raise _mismatch(key, str(storage.location(key)), had, level, "was committed")
    return True


def write_committed(store: Any, key: str, value: Any, level: str, holder: str) -> None:
    """Write the transaction's record under `key` (atomically), tagged with `level`."""
    locks = store.lock_manager
    if locks is not None and locks.is_locked(key) and not locks.is_lock_holder(key, holder):
        raise RuntimeError(
            f"Cannot commit transaction {key!r}: its key is locked by another holder. "
            "Use isolation_level=IsolationLevel.SERIALIZABLE so transactions on one key "
            "take turns."
        )
    blob = dump_record(value, store.serializer, None, writer="transaction", isolation_level=level)
    resolve_storage(store.result_storage).write(key, blob)
    store.cache.pop(key, None)
