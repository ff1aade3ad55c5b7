"""Variables: named, mutable JSON values shared by every flow, task and process on a home.

    from headwater.variables import Variable

    Variable.set("answer", 42, overwrite=True)
    Variable.get("answer")            # 42, in any process sharing HEADWATER_HOME
    Variable.get("missing", default=0)

As in Prefect, `set`, `get` and `unset` hand back a coroutine when called in an
async context (an async flow or task, or a running event loop outside any run),
so `await Variable.get(...)` works there; `aset`, `aget` and `aunset` are the
explicit async forms. Values live in the home's database (`history.variable_store`)
and are committed when the call returns; the last writer wins.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Generic, overload

from pydantic import BaseModel, Field, field_validator
from typing_extensions import TypeVar

if TYPE_CHECKING:
    from headwater.history.variable_store import VariableStorage

__all__ = [
    "MAX_VARIABLE_NAME_LENGTH",
    "MAX_VARIABLE_VALUE_LENGTH",
    "StrictVariableValue",
    "Variable",
]

#: Prefect's limits (prefect.types): a name of at most 255 characters of lowercase
#: letters, digits, dashes and underscores; a value of at most 5000 characters as JSON
MAX_VARIABLE_NAME_LENGTH = 255
MAX_VARIABLE_VALUE_LENGTH = 5000
_NAME = re.compile(r"[a-z0-9_-]+")

StrictVariableValue = str | int | float | bool | None | dict[str, Any] | list[Any]
T = TypeVar("T", bound=StrictVariableValue, default=StrictVariableValue)


def check_name(name: object) -> str:
    """`name`, or a ValueError saying what is wrong with it and a name that would do."""
    if not isinstance(name, str):
        raise ValueError(f"Variable name {name!r} must be a string, not {type(name).__name__}")
    if len(name) > MAX_VARIABLE_NAME_LENGTH:
        raise ValueError(
            f"Variable name {name[:40]!r}... is {len(name)} characters long; "
            f"use at most {MAX_VARIABLE_NAME_LENGTH}"
        )
    if not _NAME.fullmatch(name):
        suggestion = re.sub(r"[^a-z0-9_-]+", "_", name.lower()).strip("_") or "my_variable"
        raise ValueError(
            f"Variable name {name!r} is not valid: use only lowercase letters, numbers, "
            f"dashes and underscores, e.g. {suggestion!r}"
        )
    return name


def value_json(name: str, value: object) -> str:
    """`value` as compact JSON text, or a ValueError naming the variable and the fix."""
    try:
        text = json.dumps(value, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        shown = repr(value)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        raise ValueError(
            f"Variable {name!r}: the value {shown} cannot be stored as JSON ({exc}). "
            "Use a str, int, float, bool, None, or a list or dict of those (for example "
            "a datetime as .isoformat(), NaN as None)"
        ) from None
    size = len(text.encode("utf-8"))
    if value is not None and size > MAX_VARIABLE_VALUE_LENGTH:
        raise ValueError(
            f"Variable {name!r}: the value is {size} characters as JSON, more than the "
            f"limit of {MAX_VARIABLE_VALUE_LENGTH}. Keep large data in a file, block or "
            "result storage and store its path or key in the variable"
        )
    return text


class Variable(BaseModel, Generic[T]):
    """A named JSON value shared by every process on the home (Prefect's `Variable`).

    Arguments:
        name: lowercase letters, numbers, dashes and underscores (at most 255).
        value: a JSON value (str, number, bool, None, list, dict) of at most 5000
            characters as JSON.
        tags: an optional list of strings to associate with the variable.
    """

    name: str = Field(default=..., max_length=MAX_VARIABLE_NAME_LENGTH)
    value: StrictVariableValue = Field(default=...)
    tags: list[str] | None = Field(default=None)

    @field_validator("name")
    @classmethod
    def _valid_name(cls, name: str) -> str:
        return check_name(name)

    # --- set ----------------------------------------------------------------
    @classmethod
    def set(
        cls,
        name: str,
        value: StrictVariableValue,
        tags: list[str] | None = None,
        overwrite: bool = False,
    ) -> Variable[Any]:
        """Set a variable; an existing name needs `overwrite=True`. Returns the variable.

        In an async context this returns a coroutine (await it), as Prefect's does.
        """
        if _dispatch_async():
            return cls.aset(name, value, tags=tags, overwrite=overwrite)  # type: ignore[return-value]
        return cls._set(name, value, tags, overwrite)

    @classmethod
    async def aset(
        cls,
        name: str,
        value: StrictVariableValue,
        tags: list[str] | None = None,
        overwrite: bool = False,
    ) -> Variable[Any]:
        """Set a variable (async form of `set`)."""
        return cls._set(name, value, tags, overwrite)

    @classmethod
    def _set(
        cls, name: str, value: object, tags: list[str] | None, overwrite: bool
    ) -> Variable[Any]:
        check_name(name)
        text = value_json(name, value)
        tag_list = _check_tags(name, tags)
        row = _storage().write(name, text, tag_list, overwrite)
        if row is None:
            raise ValueError(
                f"Variable {name!r} already exists. Use `overwrite=True` to update it "
                f"(`headwater variable set {name} VALUE --overwrite` from the shell)."
            )
        return cls(name=row["name"], value=json.loads(row["value_json"]), tags=row["tags"])

    # --- get ----------------------------------------------------------------
    @overload
    @classmethod
    def get(cls, name: str) -> T | None: ...

    @overload
    @classmethod
    def get(cls, name: str, default: T) -> T: ...

    @classmethod
    def get(cls, name: str, default: StrictVariableValue = None) -> StrictVariableValue:
        """The variable's value, or `default` if there is no variable by that name.

        In an async context this returns a coroutine (await it), as Prefect's does.
        """
        if _dispatch_async():
            return cls.aget(name, default)  # type: ignore[return-value, arg-type]
        return _read(name, default)

    @overload
    @classmethod
    async def aget(cls, name: str) -> T | None: ...

    @overload
    @classmethod
    async def aget(cls, name: str, default: T) -> T: ...

    @classmethod
    async def aget(cls, name: str, default: StrictVariableValue = None) -> StrictVariableValue:
        """The variable's value, or `default` (async form of `get`)."""
        return _read(name, default)

    # --- unset --------------------------------------------------------------
    @classmethod
    def unset(cls, name: str) -> bool:
        """Delete a variable: True if it existed, False if there was none by that name.

        In an async context this returns a coroutine (await it), as Prefect's does.
        """
        if _dispatch_async():
            return cls.aunset(name)  # type: ignore[return-value]
        return _storage().delete(name)

    @classmethod
    async def aunset(cls, name: str) -> bool:
        """Delete a variable (async form of `unset`)."""
        return _storage().delete(name)


def _read(name: str, default: StrictVariableValue) -> StrictVariableValue:
    row = _storage().read(name)
    if row is None:
        return default
    found: StrictVariableValue = json.loads(row["value_json"])
    return found


def _check_tags(name: str, tags: list[str] | None) -> list[str]:
    if tags is None:
        return []
    if isinstance(tags, str) or not all(isinstance(t, str) for t in tags):
        raise ValueError(
            f'Variable {name!r}: tags must be a list of strings, got {tags!r} (e.g. tags=["prod"])'
        )
    return list(tags)


def _dispatch_async() -> bool:
    from headwater.context import in_async_context

    return in_async_context()


def _storage() -> VariableStorage:
    from headwater.history.variable_store import get_variable_storage

    return get_variable_storage()
