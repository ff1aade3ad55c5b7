"""Finding and replacing futures and States inside arbitrary arguments and return values.

Looks where Prefect's `visit_collection` (prefect/utilities/collections.py)
looks: lists, tuples (named ones too), sets, dict keys and values, dataclasses,
pydantic models and annotations, at any depth; never inside generators. A
collection is copied only where something in it was replaced, so a value
without futures comes back as the very same object; a container holding
itself is visited once.
"""

from __future__ import annotations

import dataclasses
import sys
import types
from collections.abc import Callable
from typing import Any

from headwater.annotations import BaseAnnotation, allow_failure, opaque, quote
from headwater.futures import HeadwaterFuture, HeadwaterFutureList
from headwater.states import State

ATOMS = (int, float, str, bytes, bool, type(None))
_ATOM_TYPES = frozenset(ATOMS)
_UNSEARCHED = (types.GeneratorType, types.AsyncGeneratorType, type)

#: called with each future or State found and whether an allow_failure() wraps it;
#: returns what replaces it
Leaf = Callable[[Any, bool], Any]


class Visit:
    """One walk: the leaf function, whether annotations are removed on the way
    (`quote(x)` -> `x` unsearched, `opaque(x)` -> `x` resolved but unsearched), and
    whether any annotation was met."""

    __slots__ = ("annotated", "leaf", "seen", "unwrap")

    def __init__(self, leaf: Leaf, unwrap: bool) -> None:
        self.leaf = leaf
        self.unwrap = unwrap
        self.seen: dict[int, Any] = {}
        self.annotated = False

    def find(self, value: Any, allowed: bool = False) -> None:
        """Call the leaf on everything found, building nothing (for scanning)."""
        if type(value) in _ATOM_TYPES:
            return
        t = type(value)
        if t is list or t is tuple or t is set or t is frozenset:
            key = id(value)
            if key in self.seen:
                return
            self.seen[key] = value
            for item in value:
                if type(item) not in _ATOM_TYPES:
                    self.find(item, allowed)
        elif t is dict:
            key = id(value)
            if key in self.seen:
                return
            self.seen[key] = value
            for k, v in value.items():
                if type(k) not in _ATOM_TYPES:
                    self.find(k, allowed)
                if type(v) not in _ATOM_TYPES:
                    self.find(v, allowed)
        else:
            self(value, allowed)

    def __call__(self, value: Any, allowed: bool = False) -> Any:
        if type(value) in _ATOM_TYPES or isinstance(value, ATOMS):
            return value
        if isinstance(value, (HeadwaterFuture, State)):
            return self.leaf(value, allowed)
        key = id(value)
        if key in self.seen:
            return self.seen[key]
        self.seen[key] = value
        result = self._container(value, allowed)
        self.seen[key] = result
        return result

    def _container(self, value: Any, allowed: bool) -> Any:
        if isinstance(value, BaseAnnotation):
            return self._annotation(value, allowed)
        if isinstance(value, (list, tuple, set, frozenset)):
            items = [self(item, allowed) for item in value]
            if all(new is old for new, old in zip(items, value, strict=True)):
                return value
            if isinstance(value, HeadwaterFutureList):
                return items
            if isinstance(value, tuple) and hasattr(value, "_make"):
                return value._make(items)
            return type(value)(items)
        if isinstance(value, dict):
            pairs = [(self(k, allowed), self(v, allowed)) for k, v in value.items()]
            if all(
                k2 is k1 and v2 is v1
                for (k2, v2), (k1, v1) in zip(pairs, value.items(), strict=True)
            ):
                return value
            return type(value)(pairs)
        if isinstance(value, _UNSEARCHED):
            return value
        if dataclasses.is_dataclass(value):
            names = [f.name for f in dataclasses.fields(value)]
            new = {n: self(getattr(value, n), allowed) for n in names}
            if all(new[n] is getattr(value, n) for n in names):
                return value
            return dataclasses.replace(value, **new)  # type: ignore[type-var]
        pydantic = sys.modules.get("pydantic")
        if pydantic is not None and isinstance(value, pydantic.BaseModel):
            return self._model(value, allowed)
        return value

    def _annotation(self, value: BaseAnnotation[Any], allowed: bool) -> Any:
        self.annotated = True
        inner = value.value
        if isinstance(value, quote):
            return inner if self.unwrap else value
        if isinstance(value, opaque):
            found = isinstance(inner, (HeadwaterFuture, State))
            resolved = self.leaf(inner, allowed) if found else inner
        else:
            resolved = self(inner, allowed or isinstance(value, allow_failure))
        if self.unwrap:
            return resolved
        return value if resolved is inner else value.rewrap(resolved)

    def _model(self, value: Any, allowed: bool) -> Any:
        fields = dict(value)
        new = {n: self(v, allowed) for n, v in fields.items()}
        if all(new[n] is fields[n] for n in fields):
            return value
        model = value.model_construct(_fields_set=value.model_fields_set, **new)
        for name in value.__private_attributes__:
            setattr(model, name, getattr(value, name))
        return model


def visit(value: Any, leaf: Leaf, unwrap: bool = False) -> Any:
    """`value` with `leaf` applied to every future and State inside it."""
    return Visit(leaf, unwrap)(value)
