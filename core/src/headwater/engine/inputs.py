"""A task run's inputs: finding the futures among them, and resolving them to values.

Futures (and States of other runs) passed as arguments are the run's upstream
dependencies: they are recorded as its `task_inputs` and waited for before the
run starts. They are found wherever Prefect's `visit_collection`
(prefect/utilities/collections.py) finds them: inside lists, tuples (named
ones too), sets, dict keys and values, dataclasses and pydantic models, at any
depth. A collection is copied only if something in it was replaced, so an
argument without futures reaches the task as the very same object.

Annotations, as in prefect/utilities/engine `resolve_inputs`:
`allow_failure(f)` lets a failed upstream through as its exception;
`quote(x)` passes `x` as is, unwrapped and not searched; `opaque(x)` resolves
`x` itself if it is a future but does not look inside it; `unmapped(x)` is
unwrapped. Generators are never iterated.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from headwater.engine.visit import ATOMS, Visit, visit
from headwater.exceptions import UpstreamTaskError
from headwater.futures import HeadwaterFuture
from headwater.states import State, StateType


def _futures_in(value: Any) -> list[HeadwaterFuture[Any]]:
    found: list[HeadwaterFuture[Any]] = []

    def collect(item: Any, allowed: bool) -> Any:
        if isinstance(item, HeadwaterFuture):
            found.append(item)
        return item

    Visit(collect, unwrap=False).find(value)
    return found


def _scan(value: Any, ids: list[str]) -> bool:
    """Add the upstream task run ids in `value` (of futures, and of States that belong
    to a task run) to `ids`; whether `value` holds an annotation to remove."""

    def collect(item: Any, allowed: bool) -> Any:
        if isinstance(item, HeadwaterFuture):
            ids.append(item.task_run_id)
        elif item.state_details.get("task_run_id"):
            ids.append(item.state_details["task_run_id"])
        return item

    walk = Visit(collect, unwrap=False)
    walk.find(value)
    return walk.annotated


def upstream_futures(
    parameters: dict[str, Any], wait_for: Iterable[Any] | None = None
) -> list[HeadwaterFuture[Any]]:
    """Every distinct future among the parameters (nested too) and in `wait_for`: a run's
    upstreams. Remote runners use this to hold a submission back until they finish.
    """
    found: list[HeadwaterFuture[Any]] = []
    for value in parameters.values():
        if not isinstance(value, ATOMS):
            found.extend(_futures_in(value))
    if wait_for:
        found.extend(_futures_in(list(wait_for)))
    return list({id(f): f for f in found}.values())


def scan_inputs(
    parameters: dict[str, Any], wait_for: Iterable[Any] | None
) -> tuple[dict[str, list[str]], bool]:
    """`{parameter: [upstream task run ids]}` (wait_for ones under "wait_for"), and
    whether the parameters need resolving before the call (upstreams or annotations)."""
    inputs: dict[str, list[str]] = {}
    annotated = False
    for name, value in parameters.items():
        if isinstance(value, ATOMS):
            continue
        ids: list[str] = []
        annotated = _scan(value, ids) or annotated
        if ids:
            inputs[name] = list(dict.fromkeys(ids))
    if wait_for:
        ids = []
        _scan(list(wait_for), ids)
        if ids:
            inputs["wait_for"] = list(dict.fromkeys(ids))
    return inputs, annotated or bool(inputs)


def upstream_inputs(
    parameters: dict[str, Any], wait_for: Iterable[Any] | None
) -> dict[str, list[str]]:
    """`{parameter: [upstream task run ids]}`; wait_for futures under "wait_for"."""
    return scan_inputs(parameters, wait_for)[0]


def _final_result(item: HeadwaterFuture[Any] | State, allowed: bool) -> Any:
    if isinstance(item, HeadwaterFuture):
        item.wait()
        state: State = item.state
        name = item.task_run.name
    else:
        state = item
        name = state.state_details.get("task_run_id") or repr(state)
    if state.type is StateType.COMPLETED:
        return state.result()
    if allowed and state.is_failed():  # Prefect: failed or NotReady (a failed state here)
        return state.result(raise_on_failure=False)
    raise UpstreamTaskError(f"Upstream task run '{name}' did not reach a 'COMPLETED' state.")


def resolve_parameters(parameters: dict[str, Any]) -> dict[str, Any]:
    """Parameters with futures (and States) replaced by results; UpstreamTaskError if
    one did not complete."""
    return {
        name: value if isinstance(value, ATOMS) else visit(value, _final_result, unwrap=True)
        for name, value in parameters.items()
    }


def wait_for_upstream(wait_for: Iterable[Any] | None) -> None:
    """Wait for `wait_for=` futures; UpstreamTaskError if one failed (unless allow_failure)."""
    if wait_for:
        visit(list(wait_for), _final_result, unwrap=True)
