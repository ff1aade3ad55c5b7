"""How results become bytes: "pickle" (cloudpickle, the default) or "json".

A serializer is anything with `dumps(obj) -> bytes` and `loads(bytes) -> obj`
and a `type` name; the names match Prefect's `result_serializer` values.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

__all__ = [
    "JSONSerializer",
    "PickleSerializer",
    "SecretResultError",
    "Serializer",
    "get_serializer",
]


class SecretResultError(TypeError):
    """A result holding a secret cannot be written as JSON (it would be in clear, or lost)."""


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
    """JSON: portable and human-readable; pydantic models and dataclasses dump to dicts.

    A result holding a secret (a block with SecretStr / SecretDict fields, a
    bare SecretStr) is refused: JSON would either write the secret in clear
    or replace it by a mask, and the cached value would come back as a dict
    of `**********` with no error (Prefect's json serializer does the
    latter). The engine then keeps the result in memory and logs a warning
    naming the task run and this message.
    """

    type = "json"

    def dumps(self, obj: Any) -> bytes:
        from pydantic_core import to_json

        from headwater.blocks.fields import find_secret

        where = find_secret(obj)
        if where is not None:
            raise SecretResultError(
                f"The result holds a secret ({where}), which the json result serializer "
                "cannot store: it would be written in clear, or masked and lost. Return the "
                "block's saved name instead (block.save('name'), then Block.load('slug/name') "
                "where it is needed), or set persist_result=False on the task. "
                "result_serializer='pickle' keeps the block, but writes its secrets "
                "unencrypted into the result file."
            )
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
