"""Stable hashes of task inputs: the same arguments give the same key in every process.

JSON first (sorted keys; sets sorted; bytes, paths, dates, dataclasses and
pydantic models by value), because cloudpickle output is not stable across
processes or runs for many objects (PrefectHQ/prefect#12229). cloudpickle is
the fallback for objects JSON cannot express; what neither can serialise (a
lock, a socket, a DB client) is unhashable and yields None.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import hashlib
import json
import pathlib
import uuid
from typing import Any

__all__ = ["UnhashableError", "hash_objects", "stable_bytes"]


class UnhashableError(TypeError):
    """An object can be neither JSON-encoded nor cloudpickled for a cache key."""


def _default(obj: Any) -> Any:
    if isinstance(obj, (set, frozenset)):
        return {"__set__": sorted(json.dumps(v, sort_keys=True, default=_default) for v in obj)}
    if isinstance(obj, bytes):
        return {"__bytes__": obj.hex()}
    if isinstance(obj, (pathlib.PurePath, uuid.UUID, decimal.Decimal)):
        return {f"__{type(obj).__name__}__": str(obj)}
    if isinstance(obj, (datetime.datetime, datetime.date, datetime.time)):
        return {"__dt__": obj.isoformat()}
    if isinstance(obj, datetime.timedelta):
        return {"__td__": obj.total_seconds()}
    if isinstance(obj, enum.Enum):
        return {"__enum__": f"{type(obj).__qualname__}.{obj.name}"}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {"__dc__": type(obj).__qualname__, "fields": dataclasses.asdict(obj)}
    dump = getattr(obj, "model_dump", None)  # pydantic models
    if callable(dump) and not isinstance(obj, type):
        return {"__model__": type(obj).__qualname__, "fields": dump(mode="json")}
    raise TypeError(type(obj).__name__)


def stable_bytes(obj: Any) -> bytes:
    """Bytes that identify `obj`'s value; UnhashableError if there are none."""
    try:
        return json.dumps(obj, sort_keys=True, default=_default, separators=(",", ":")).encode()
    except (TypeError, ValueError):
        pass
    try:
        import cloudpickle

        pickled: bytes = cloudpickle.dumps(obj)  # cloudpickle ships no types
        return b"pickle:" + pickled
    except Exception as exc:
        raise UnhashableError(f"{type(obj).__name__} cannot be serialised: {exc}") from None


def hash_objects(*objs: Any) -> str | None:
    """A hex digest of `objs`, or None if any of them cannot be hashed."""
    try:
        data = stable_bytes(objs)
    except UnhashableError:
        return None
    return hashlib.blake2b(data, digest_size=16).hexdigest()
