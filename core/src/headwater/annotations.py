"""Wrappers that change how the engine treats an argument.

- `unmapped(x)`: `.map()` passes `x` whole to every run instead of iterating it.
- `allow_failure(future)`: the downstream task runs even if the upstream failed,
  receiving the upstream's exception as the value.
- `quote(x)`: the task receives `x` as is: the engine does not look inside it.
- `opaque(x)`: a future `x` is resolved, but the engine does not look inside values.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

T = TypeVar("T")

__all__ = ["BaseAnnotation", "allow_failure", "opaque", "quote", "unmapped"]


class BaseAnnotation(Generic[T]):
    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value

    def unwrap(self) -> T:
        return self.value

    def rewrap(self, value: T) -> BaseAnnotation[T]:
        return type(self)(value)

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.value == other.value

    def __hash__(self) -> int:
        return hash((type(self), id(self.value)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.value!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.value,))


class unmapped(BaseAnnotation[T]):
    """Pass the value to every mapped run unchanged."""

    def __getitem__(self, _: object) -> T:
        return self.value


class allow_failure(BaseAnnotation[T]):
    """Run the downstream task even if this upstream failed."""


class quote(BaseAnnotation[T]):
    """Pass this value to the task as is, without looking inside it for futures (saves
    the walk through a large collection)."""

    def unquote(self) -> T:
        return self.value


class opaque(BaseAnnotation[T]):
    """Resolve this value if it is a future, but do not look inside it."""
