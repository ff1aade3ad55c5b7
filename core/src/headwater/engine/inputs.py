"""A task run's inputs: finding the futures among them, and resolving them to values.

Futures passed as arguments (directly, or inside lists, tuples, sets and dicts)
are the run's upstream dependencies: they are recorded as its `task_inputs`
and waited for before the run starts. `allow_failure(f)` lets a failed
upstream through as its exception; `quote(x)` hides `x` from the search.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from headwater.annotations import BaseAnnotation, allow_failure, quote
from headwater.exceptions import UpstreamTaskError
from headwater.futures import HeadwaterFuture, HeadwaterFutureList
from headwater.states import State, StateType

_ATOMS = (int, float, str, bytes, bool, type(None))
_MAX_DEPTH = 8


def _walk_futures(value: Any, found: list[HeadwaterFuture[Any]], depth: int) -> None:
    if isinstance(value, HeadwaterFuture):
        found.append(value)
        return
    if isinstance(value, _ATOMS) or depth > _MAX_DEPTH:
        return
    t = type(value)
    if t is list or t is tuple or t is set or t is frozenset or isinstance(value, list):
        for item in value:
            if not isinstance(item, _ATOMS):
                _walk_futures(item, found, depth + 1)
    elif t is dict:
        for item in value.values():
            if not isinstance(item, _ATOMS):
                _walk_futures(item, found, depth + 1)
    elif isinstance(value, BaseAnnotation) and not isinstance(value, quote):
        _walk_futures(value.value, found, depth + 1)


def upstream_futures(
    parameters: dict[str, Any], wait_for: Iterable[Any] | None = None
) -> list[HeadwaterFuture[Any]]:
    """Every distinct future among the parameters (nested too) and in `wait_for`: a run's
    upstreams. Remote runners use this to hold a submission back until they finish.
    """
    found: list[HeadwaterFuture[Any]] = []
    for value in parameters.values():
        if not isinstance(value, _ATOMS):
            _walk_futures(value, found, 0)
    if wait_for:
        _walk_futures(list(wait_for), found, 0)
    return list({id(f): f for f in found}.values())


def upstream_inputs(
    parameters: dict[str, Any], wait_for: Iterable[Any] | None
) -> dict[str, list[str]]:
    """`{parameter: [upstream task run ids]}`; wait_for futures under "wait_for"."""
    inputs: dict[str, list[str]] = {}
    for name, value in parameters.items():
        if isinstance(value, _ATOMS):
            continue
        found: list[HeadwaterFuture[Any]] = []
        _walk_futures(value, found, 0)
        if found:
            inputs[name] = [f.task_run_id for f in found]
    if wait_for:
        found = []
        _walk_futures(list(wait_for), found, 0)
        if found:
            inputs["wait_for"] = [f.task_run_id for f in found]
    return inputs


def _resolve(value: Any, allowed: bool, depth: int) -> Any:
    if isinstance(value, HeadwaterFuture):
        value.wait()
        state = value.state
        if state.type is StateType.COMPLETED:
            return state.result()
        if allowed:
            return state.result(raise_on_failure=False)
        raise UpstreamTaskError(
            f"Upstream task run '{value.task_run.name}' did not reach a 'COMPLETED' state."
        )
    if isinstance(value, _ATOMS) or depth > _MAX_DEPTH:
        return value
    t = type(value)
    if t is list or isinstance(value, HeadwaterFutureList):
        return [_resolve(v, allowed, depth + 1) for v in value]
    if t is tuple:
        return tuple(_resolve(v, allowed, depth + 1) for v in value)
    if t is set or t is frozenset:
        return t(_resolve(v, allowed, depth + 1) for v in value)
    if t is dict:
        return {k: _resolve(v, allowed, depth + 1) for k, v in value.items()}
    if isinstance(value, allow_failure):
        return _resolve(value.value, True, depth + 1)
    if isinstance(value, quote):
        return value.value
    if isinstance(value, BaseAnnotation):
        return _resolve(value.value, allowed, depth + 1)
    return value


def resolve_parameters(parameters: dict[str, Any]) -> dict[str, Any]:
    """Parameters with futures replaced by results; UpstreamTaskError if one failed."""
    resolved = {}
    for name, value in parameters.items():
        resolved[name] = value if isinstance(value, _ATOMS) else _resolve(value, False, 0)
    return resolved


def wait_for_upstream(wait_for: Iterable[Any] | None) -> None:
    """Wait for `wait_for=` futures; UpstreamTaskError if one failed (unless allow_failure)."""
    if not wait_for:
        return
    for item in wait_for:
        allowed = isinstance(item, allow_failure)
        fut = item.value if allowed else item
        if isinstance(fut, HeadwaterFuture):
            fut.wait()
            state: State = fut.state
            if state.type is not StateType.COMPLETED and not allowed:
                raise UpstreamTaskError(
                    f"Upstream task run '{fut.task_run.name}' did not reach a 'COMPLETED' state."
                )
