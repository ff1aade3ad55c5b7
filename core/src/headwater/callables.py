"""Binding call arguments to a function's parameters, and back, fast.

The engine keeps a run's inputs as a `{name: value}` dict (that is what is
recorded, validated, hashed for caches and shown in the dashboard) and turns
it back into `*args, **kwargs` to call the function. `inspect.Signature.bind`
costs several microseconds per call, so each function gets a `CallShape`
computed once, with a fast path for the common all-positional-or-keyword case.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

_EMPTY = inspect.Parameter.empty
_POS_ONLY = inspect.Parameter.POSITIONAL_ONLY
_POS_OR_KW = inspect.Parameter.POSITIONAL_OR_KEYWORD
_VAR_POS = inspect.Parameter.VAR_POSITIONAL
_KW_ONLY = inspect.Parameter.KEYWORD_ONLY
_VAR_KW = inspect.Parameter.VAR_KEYWORD


class CallShape:
    """How to bind arguments to `fn`'s parameters and unbind them again."""

    __slots__ = ("defaults", "fn", "kinds", "names", "signature", "simple")

    def __init__(self, fn: Callable[..., Any], skip_first: bool = False) -> None:
        self.fn = fn
        self.signature = inspect.signature(fn)
        params = list(self.signature.parameters.values())
        if skip_first:  # the shape of `fn` bound to an instance or class
            params = params[1:]
            self.signature = self.signature.replace(parameters=params)
        self.names = tuple(p.name for p in params)
        self.kinds = tuple(p.kind for p in params)
        self.defaults = {p.name: p.default for p in params if p.default is not _EMPTY}
        self.simple = all(k is _POS_OR_KW for k in self.kinds)

    def bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        """`{name: value}` for a call, with defaults applied; TypeError as Python gives it."""
        if self.simple and len(args) <= len(self.names):
            params = dict(zip(self.names, args, strict=False))
            if kwargs:
                for key, value in kwargs.items():
                    if key in params or key not in self.names:
                        return self._slow_bind(args, kwargs)
                    params[key] = value
            if len(params) < len(self.names):
                for name in self.names:
                    if name not in params:
                        if name not in self.defaults:
                            return self._slow_bind(args, kwargs)
                        params[name] = self.defaults[name]
                # keep declaration order
                params = {n: params[n] for n in self.names}
            return params
        return self._slow_bind(args, kwargs)

    def _slow_bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return dict(bound.arguments)

    def unbind(self, parameters: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """`(args, kwargs)` to call `fn` with the given parameters."""
        if self.simple:
            return (), parameters
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        for name, kind in zip(self.names, self.kinds, strict=False):
            if name not in parameters:
                continue
            value = parameters[name]
            if kind is _POS_ONLY or (kind is _POS_OR_KW and not kwargs):
                args.append(value)
            elif kind is _VAR_POS:
                args.extend(value)
            elif kind is _VAR_KW:
                kwargs.update(value)
            else:
                kwargs[name] = value
        return tuple(args), kwargs


_D = TypeVar("_D", bound="MethodDescriptor")


def unwrap_method(fn: Any) -> tuple[Any, str | None]:
    """`(function, "classmethod" | "staticmethod" | None)` for `@task` / `@flow` over
    `@classmethod` or `@staticmethod` (Prefect allows both)."""
    if isinstance(fn, classmethod):
        return fn.__func__, "classmethod"
    if isinstance(fn, staticmethod):
        return fn.__func__, "staticmethod"
    return fn, None


class MethodDescriptor:
    """Lets a Task or Flow be defined in a class body, as Prefect's are.

    `instance.method` (or `Class.method` for a classmethod) is a copy whose `fn`
    is bound, so the instance or class is passed as the first argument but is
    not one of the run's parameters: it is not recorded, hashed for caches or
    validated. The bound shape is computed once per task or flow and shared.
    """

    fn: Callable[..., Any]
    shape: CallShape
    method_kind: str | None = None
    _bound_shape: CallShape | None = None

    def __get__(self: _D, instance: Any, owner: type | None = None) -> _D:
        kind = self.method_kind
        if kind == "staticmethod" or kind == "bound" or (instance is None and kind is None):
            return self
        target = owner if kind == "classmethod" else instance
        if target is None:
            target = type(instance)
        shape = self._bound_shape
        if shape is None:
            shape = self._bound_shape = CallShape(self.fn, skip_first=True)
        bound = copy.copy(self)
        bound.fn = self.fn.__get__(target, owner)
        bound.shape = shape
        bound.method_kind = "bound"
        return bound
