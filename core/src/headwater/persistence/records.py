"""The on-disk format of a persisted result, which is also a cache record.

    HWRESULT1\\n{"serializer": "pickle", "expiration": 1767225600.0, ...}\\n<payload>

A small JSON header (serializer, expiration, who wrote it) before the raw
serialized value: reading a cache hit is one file read and one split, no
base64 (Prefect wraps results in base64 inside JSON). Records are written
atomically by the storage, so readers in other processes see an old record
or a new one, never half of one.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from headwater.persistence.serializers import get_serializer
from headwater.state_results import ResultReference

MAGIC = b"HWRESULT1\n"

__all__ = ["CorruptRecordError", "PersistedResult", "ResultRecord", "dump_record", "load_record"]


class CorruptRecordError(ValueError):
    """A stored result could not be parsed or deserialised."""


@dataclass
class ResultRecord:
    metadata: dict[str, Any]
    payload: bytes

    @property
    def expiration(self) -> float | None:
        return self.metadata.get("expiration")

    def expired(self, now: float | None = None) -> bool:
        exp = self.expiration
        return exp is not None and (now if now is not None else time.time()) >= exp

    def value(self) -> Any:
        try:
            return get_serializer(self.metadata.get("serializer", "pickle")).loads(self.payload)
        except Exception as exc:
            raise CorruptRecordError(f"cannot deserialise the stored result: {exc!r}") from exc


def dump_record(value: Any, serializer: Any, expiration: float | None, **meta: Any) -> bytes:
    ser = get_serializer(serializer)
    payload = ser.dumps(value)
    header = {"serializer": ser.type, "expiration": expiration, "created": time.time(), **meta}
    return MAGIC + json.dumps(header, default=str).encode() + b"\n" + payload


def load_record(blob: bytes) -> ResultRecord:
    if not blob.startswith(MAGIC):
        raise CorruptRecordError("not a headwater result record (bad header)")
    end = blob.find(b"\n", len(MAGIC))
    if end < 0:
        raise CorruptRecordError("truncated result record")
    try:
        metadata = json.loads(blob[len(MAGIC) : end])
    except ValueError as exc:
        raise CorruptRecordError(f"unreadable result record header: {exc}") from None
    if not isinstance(metadata, dict):
        raise CorruptRecordError("unreadable result record header")
    return ResultRecord(metadata, blob[end + 1 :])


class PersistedResult(ResultReference):
    """A result kept only in storage (`cache_result_in_memory=False`); `get()` reads it."""

    __slots__ = ("key", "storage")

    def __init__(self, storage: Any, key: str) -> None:
        self.storage = storage
        self.key = key

    def get(self) -> Any:
        blob = self.storage.read(self.key)
        if blob is None:
            raise CorruptRecordError(
                f"persisted result {self.storage.location(self.key)} is missing"
            )
        return load_record(blob).value()

    def __repr__(self) -> str:
        return f"PersistedResult({self.storage.location(self.key)!r})"

    def __reduce__(self) -> Any:
        return (PersistedResult, (self.storage, self.key))
