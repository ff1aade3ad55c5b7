"""Field types for secrets in blocks.

`SecretStr` is pydantic's; `SecretDict` is a dict whose whole content is a
secret (service-account JSON, fsspec credentials). Prefect only hid fields
typed `SecretStr`, so dict settings leaked in the UI (PrefectHQ/prefect#7562);
here both kinds are masked in reprs, dumps and the CLI, and encrypted at rest.
"""

from __future__ import annotations

import types
from collections import abc
from typing import Annotated, Any, Union, get_args, get_origin

import pydantic
from pydantic import SecretBytes, SecretStr

__all__ = [
    "SecretBytes",
    "SecretDict",
    "SecretStr",
    "as_secret",
    "element_annotation",
    "is_secret",
    "is_secret_annotation",
]


class SecretDict(pydantic.Secret[dict[str, Any]]):
    """A dict of secret values: `get_secret_value()` returns the dict, reprs show `**********`."""

    def _display(self) -> str:
        return "**********"

    def __getitem__(self, key: str) -> Any:
        return self.get_secret_value()[key]


def is_secret(value: Any) -> bool:
    """True for any pydantic secret wrapper (SecretStr, SecretBytes, SecretDict, Secret[T])."""
    return isinstance(value, (SecretStr, SecretBytes, pydantic.Secret))


def as_secret(value: Any) -> Any:
    """`value` wrapped in the secret type that fits it (decrypted values never travel bare)."""
    if is_secret(value):
        return value
    if isinstance(value, bytes):
        return SecretBytes(value)
    if isinstance(value, str):
        return SecretStr(value)
    if isinstance(value, dict):
        return SecretDict(value)
    return pydantic.Secret(value)


def _strip(annotation: Any) -> Any:
    """`X` from `Annotated[X, ...]`."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def is_secret_annotation(annotation: Any) -> bool:
    """True if a field declared as `annotation` holds a secret itself.

    SecretStr, SecretBytes, SecretDict, `pydantic.Secret[T]`, and Optionals or
    unions made only of them. Used so that a secret field is encrypted on save
    even when it holds a plain value (a block built with `model_construct`). A
    union that also admits a plain type (`str | SecretStr`, as ShellOperation's
    env values) lets the user choose per value: its secret values are
    encrypted by their type, its plain ones stay plain.
    """
    annotation = _strip(annotation)
    if isinstance(annotation, type) and issubclass(
        annotation, (SecretStr, SecretBytes, pydantic.Secret)
    ):
        return True
    origin = get_origin(annotation)
    if isinstance(origin, type) and issubclass(origin, pydantic.Secret):
        return True
    if origin is Union or origin is types.UnionType:
        members = [arg for arg in get_args(annotation) if arg is not type(None)]
        return bool(members) and all(is_secret_annotation(arg) for arg in members)
    return False


def element_annotation(annotation: Any) -> Any:
    """The item type of a container annotation (`dict[str, V]` -> V, `list[T]` -> T), else None."""
    annotation = _strip(annotation)
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        inner = [a for a in get_args(annotation) if a is not type(None)]
        return element_annotation(inner[0]) if len(inner) == 1 else None
    args = get_args(annotation)
    if not isinstance(origin, type) or not args:
        return None
    if issubclass(origin, tuple):
        return args[0] if len(args) == 2 and args[1] is Ellipsis else None
    if issubclass(origin, abc.Mapping):
        return args[-1]
    if issubclass(origin, (abc.Sequence, abc.Set)):
        return args[0]
    return None


_PLAIN = frozenset({str, bytes, int, float, bool, type(None)})


def find_secret(obj: Any) -> str | None:
    """Where the first secret inside `obj` sits ("Vault.password"), or None.

    Looks through dicts, lists, tuples, sets and pydantic models (a field
    declared secret counts even if it holds a plain value). The answer names
    types and fields only, never a value, so it is safe in an error message.
    Plain items are skipped by their exact type, so a big list of numbers or
    records costs little beside serialising it.
    """
    return _find(obj, type(obj).__name__, set())


def _find(value: Any, where: str, seen: set[int]) -> str | None:
    kind = type(value)
    if kind in _PLAIN:
        return None
    if id(value) in seen:  # shared, or a reference cycle
        return None
    seen.add(id(value))
    if kind is dict:
        items: Any = value.values()
    elif kind is list or kind is tuple:
        items = value
    elif is_secret(value):
        return where
    elif isinstance(value, pydantic.BaseModel):
        cls = type(value)
        for name, field in cls.model_fields.items():
            item = getattr(value, name, None)
            here = f"{cls.__name__}.{name}"
            if item is not None and is_secret_annotation(field.annotation):
                return here
            found = _find(item, here, seen)
            if found is not None:
                return found
        return None
    elif isinstance(value, dict):
        items = value.values()
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = value
    else:
        return None
    plain = _PLAIN
    for item in items:
        kind = type(item)
        if kind in plain:
            continue
        if kind is dict or kind is list:  # a row of plain values: no call needed
            for inner in item.values() if kind is dict else item:
                if type(inner) not in plain:
                    break
            else:
                continue
        found = _find(item, where, seen)
        if found is not None:
            return found
    return None
