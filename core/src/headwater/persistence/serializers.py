"""How results become bytes: "pickle" (cloudpickle, the default) or "json".

A serializer is anything with `dumps(obj) -> bytes` and `loads(bytes) -> obj`
and a `type` name; the names match Prefect's `result_serializer` values.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

__all__ = ["JSONSerializer", "PickleSerializer", "Serializer", "get_serializer"]


class Serializer(Protocol):
    type: str

    def dumps(self, obj: Any) -> bytes: ...

    def loads(self, blob: bytes) -> Any: ...


class PickleSerializer:
    """cloudpickle: any Python object, read back by the same Python/library versions."""

    type = "pickle"

    def dumps(self, obj: Any) -> bytes:
        import cloudpickle

        return cloudpickle.dumps(obj)  # type: ignore[no-any-return]

    def loads(self, blob: bytes) -> Any:
        import pickle

        return pickle.loads(blob)


class JSONSerializer:
    """JSON: portable and human-readable; pydantic models and dataclasses dump to dicts."""

    type = "json"

    def dumps(self, obj: Any) -> bytes:
        from pydantic_core import to_json

        return to_json(obj)

    def loads(self, blob: bytes) -> Any:
        return json.loads(blob)


_BY_NAME: dict[str, Serializer] = {"pickle": PickleSerializer(), "json": JSONSerializer()}


def get_serializer(spec: Any) -> Serializer:
    """A serializer from a name ("pickle", "json") or an object with dumps/loads."""
    if spec is None:
        from headwater import settings

        spec = settings.get("results_default_serializer", "pickle")
    if isinstance(spec, str):
        found = _BY_NAME.get(spec.lower())
        if found is None:
            raise ValueError(
                f"Unknown result_serializer {spec!r}; use one of {sorted(_BY_NAME)} or an "
                "object with dumps() and loads()"
            )
        return found
    if callable(getattr(spec, "dumps", None)) and callable(getattr(spec, "loads", None)):
        if not hasattr(spec, "type"):
            spec.type = type(spec).__name__
        return spec  # type: ignore[no-any-return]
    raise TypeError(f"result_serializer must be 'pickle', 'json' or a serializer, got {spec!r}")
