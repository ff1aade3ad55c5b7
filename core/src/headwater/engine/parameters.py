"""Validating flow parameters against the function's annotations, with pydantic coercion.

Pydantic is imported only when a value does not already have its annotated
type exactly (e.g. the string "5" for an `int` parameter): most calls pass
well-typed values and never pay for the import.
"""

from __future__ import annotations

import difflib
import inspect
import typing
from typing import TYPE_CHECKING, Any

from headwater.callables import CallShape
from headwater.exceptions import ParameterBindError, ParameterTypeError

if TYPE_CHECKING:
    from headwater.flows import Flow

_SIMPLE = (int, float, str, bool, bytes, list, dict, tuple, set)


class ParameterValidator:
    """Per-flow validator built once from the signature and type hints."""

    def __init__(self, flow: Flow[Any, Any]) -> None:
        self.flow = flow
        fn = flow.fn
        try:
            hints = typing.get_type_hints(fn)
        except Exception:
            hints = getattr(fn, "__annotations__", {})
        self.fields: dict[str, tuple[Any, Any]] = {}
        for p in inspect.signature(fn).parameters.values():
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            annotation = hints.get(p.name, Any)
            default = p.default if p.default is not p.empty else ...
            self.fields[p.name] = (annotation, default)
        self._model: Any = None

    def validate(self, parameters: dict[str, Any]) -> dict[str, Any]:
        if self._fast_ok(parameters):
            return parameters
        return self._pydantic_validate(parameters)

    def _fast_ok(self, parameters: dict[str, Any]) -> bool:
        for name, value in parameters.items():
            spec = self.fields.get(name)
            if spec is None:
                continue
            annotation = spec[0]
            if annotation is Any or annotation is inspect.Parameter.empty:
                continue
            if (
                annotation in _SIMPLE
                and type(value) is annotation
                and annotation not in (list, dict, tuple, set)
            ):
                continue
            return False
        return True

    def _pydantic_validate(self, parameters: dict[str, Any]) -> dict[str, Any]:
        import pydantic

        if self._model is None:
            fields = {
                # pydantic reserves leading underscores; alias them
                (f"p_{name}" if name.startswith("_") else name): (
                    annotation,
                    pydantic.Field(default=default, alias=name)
                    if default is not ...
                    else pydantic.Field(alias=name),
                )
                for name, (annotation, default) in self.fields.items()
            }
            self._model = pydantic.create_model(  # type: ignore[call-overload]
                f"{self.flow.name}-parameters".replace("-", "_"),
                __config__=pydantic.ConfigDict(arbitrary_types_allowed=True, populate_by_name=True),
                **fields,
            )
        known = {k: v for k, v in parameters.items() if k in self.fields}
        try:
            model = self._model.model_validate(known)
        except pydantic.ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']} (got {err.get('input')!r})"
                for err in exc.errors()
            )
            raise ParameterTypeError(
                f"Flow run received invalid parameters for flow {self.flow.name!r}: {problems}"
            ) from None
        validated = dict(parameters)
        for name in known:
            attr = f"p_{name}" if name.startswith("_") else name
            validated[name] = getattr(model, attr)
        return validated


def bind_arguments(
    kind: str, name: str, shape: CallShape, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> dict[str, Any]:
    """`{parameter: value}` for a call of a flow (or task); `ParameterBindError` naming
    it, the unknown keywords with a close match, and what it accepts."""
    try:
        return shape.bind(args, kwargs)
    except TypeError as exc:
        raise ParameterBindError(_bind_message(kind, name, shape, args, kwargs, exc)) from None


def _bind_message(
    kind: str,
    name: str,
    shape: CallShape,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    exc: TypeError,
) -> str:
    params = shape.signature.parameters
    accepted = ", ".join(str(p.replace(annotation=p.empty)) for p in params.values())
    takes_any_keyword = any(p.kind is p.VAR_KEYWORD for p in params.values())
    keyword_names = [
        n
        for n, p in params.items()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.POSITIONAL_ONLY)
    ]
    unknown = [] if takes_any_keyword else [k for k in kwargs if k not in keyword_names]
    if unknown:
        hints = []
        for key in unknown:
            close = difflib.get_close_matches(key, keyword_names, n=1)
            hints.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        problem = f"unknown keyword argument(s) {', '.join(hints)}"
    else:
        problem = str(exc)
    # values are left out: they may be secrets
    received = f"{len(args)} positional argument(s)" + (
        f" and keyword(s) {sorted(kwargs)}" if kwargs else ""
    )
    return f"{kind.capitalize()} {name!r} was called with {problem}. It accepts ({accepted}); it received {received}."
