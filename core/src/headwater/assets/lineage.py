"""Which assets a task run read and wrote, and the events that record it.

A run's final state calls `record_final_state` (the engine's per-task
`after_final_state` hook, set only on materializing tasks and tasks with
`asset_deps`, so plain tasks pay nothing). As in Prefect 3:

- upstream assets are the task's `asset_deps` plus the assets passed down by the
  runs whose results it received: futures and States among its arguments (its
  recorded `task_inputs`, wait_for included) and, for direct calls, the very
  objects an upstream materializing call returned (matched by identity, one
  level into lists, tuples, sets and dict values);
- a materializing run passes its own assets downstream, a task with only
  `asset_deps` passes those on;
- a materializing run that ends Completed emits `headwater.asset.referenced` for
  each upstream asset and `headwater.asset.materialization.succeeded` for each of
  its assets, with the upstream assets (role `asset`) and the `by=` tool (role
  `asset-materialized-by`) as related resources and `add_asset_metadata` as the
  payload; Failed emits `...materialization.failed`; Cached emits nothing.

What runs pass downstream is kept per flow run (dropped with the flow run's
context), so lineage is inferred within a flow run; across flow runs, name the
assets in `asset_deps`.
"""

from __future__ import annotations

import json
import threading
import weakref
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from headwater.assets.core import Asset
    from headwater.context import FlowRunContext
    from headwater.engine.task_call import TaskCall
    from headwater.states import State

__all__ = ["add_metadata", "record_final_state", "track_asset_deps", "upstream_assets"]

REFERENCED = "headwater.asset.referenced"
MATERIALIZATION = "headwater.asset.materialization."

#: objects that are shared singletons (or interned), so their identity says nothing
_UNTRACKABLE = (type(None), bool, type(Ellipsis), type(NotImplemented))


class _FlowAssets:
    """What each run of one flow run passes downstream."""

    __slots__ = ("by_object", "by_run")

    def __init__(self) -> None:
        self.by_run: dict[str, frozenset[Asset]] = {}
        #: id(result) -> (the result, kept alive so its id is not reused; its assets)
        self.by_object: dict[int, tuple[Any, frozenset[Asset]]] = {}


_flows: weakref.WeakKeyDictionary[FlowRunContext, _FlowAssets] = weakref.WeakKeyDictionary()
#: task run id -> asset key -> metadata added by the running body
_metadata: dict[str, dict[str, dict[str, Any]]] = {}
_lock = threading.Lock()


def add_metadata(key: str, metadata: dict[str, Any]) -> None:
    """Accumulate `metadata` for asset `key` on the current materializing task run."""
    from headwater.context import TaskRunContext

    ctx = TaskRunContext.get()
    if ctx is None:
        raise RuntimeError(
            f"add_asset_metadata({key!r}) was called outside a task run: call it inside "
            "the @materialize task that materializes the asset."
        )
    keys = [a.key for a in getattr(ctx.task, "assets", ())]
    if key not in keys:
        raise ValueError(
            f"Can only add metadata to assets that are arguments to @materialize: task "
            f"{ctx.task.name!r} materializes {keys or 'no assets'}, not {key!r}."
        )
    if not isinstance(metadata, dict):
        raise TypeError(f"Asset metadata must be a dict, got {type(metadata).__name__}")
    with _lock:
        per_key = _metadata.setdefault(ctx.task_run.id, {})
        per_key[key] = {**per_key.get(key, {}), **metadata}


def _flow_assets(frc: FlowRunContext | None, create: bool) -> _FlowAssets | None:
    if frc is None:
        return None
    with _lock:
        found = _flows.get(frc)
        if found is None and create:
            found = _flows[frc] = _FlowAssets()
        return found


def _objects(value: Any) -> Iterable[Any]:
    """`value` and, one level in, the items of a list, tuple, set or dict's values."""
    yield value
    if isinstance(value, (list, tuple, set, frozenset)):
        yield from value
    elif isinstance(value, dict):
        yield from value.values()


def upstream_assets(call: TaskCall) -> set[Asset]:
    """The assets `call`'s run read: its `asset_deps` and what its upstream runs pass on."""
    found: set[Asset] = set(getattr(call.task, "asset_deps", None) or ())
    known = _flow_assets(call.flow_ctx, create=False)
    if known is None:
        return found
    for ids in call.task_run.task_inputs.values():
        for run_id in ids:
            found.update(known.by_run.get(run_id, ()))
    if known.by_object:
        for value in call.parameters.values():
            for item in _objects(value):
                hit = known.by_object.get(id(item))
                if hit is not None and hit[0] is item:
                    found.update(hit[1])
    return found


def _pass_downstream(call: TaskCall, state: State, assets: frozenset[Asset]) -> None:
    known = _flow_assets(call.flow_ctx, create=True)
    if known is None:
        return
    with _lock:
        known.by_run[call.task_run.id] = assets
        value = state.data
        if type(value) in _UNTRACKABLE or (isinstance(value, int) and -5 <= value <= 256):
            return
        if type(value).__name__ == "PersistedResult":  # not the object the caller receives
            return
        known.by_object[id(value)] = (value, assets)


def track_asset_deps(task: Any) -> None:
    """Make `task.asset_deps` Assets (a bad key fails here, at decoration) and have
    its runs pass them downstream."""
    from headwater.assets.core import as_asset

    task.asset_deps = [as_asset(a) for a in task.asset_deps]
    task.after_final_state = record_final_state


def record_final_state(call: TaskCall, state: State) -> None:
    """The engine's `after_final_state` hook for tasks that touch assets."""
    try:
        _record(call, state)
    except Exception as exc:  # lineage must never change a run's outcome
        call.logger.warning(f"Asset events for this run could not be recorded: {exc!r}")


def _record(call: TaskCall, state: State) -> None:
    task = call.task
    with _lock:
        metadata = _metadata.pop(call.task_run.id, {})
    downstream: list[Asset] = list(getattr(task, "assets", ()))
    upstream = upstream_assets(call)
    if state.is_completed():
        passed = frozenset(downstream) if downstream else frozenset(upstream)
        if passed:
            _pass_downstream(call, state, passed)
    if not downstream:
        return
    if state.name == "Cached":
        return
    if state.is_completed():
        status = "succeeded"
    elif state.is_failed():
        status = "failed"
    else:
        return
    _emit(
        sorted(upstream, key=_key),
        downstream,
        getattr(task, "materialized_by", None),
        status,
        metadata,
    )


def _key(asset: Asset) -> str:
    return asset.key


def _emit(
    upstream: list[Asset],
    downstream: list[Asset],
    by: str | None,
    status: str,
    metadata: dict[str, dict[str, Any]],
) -> None:
    from headwater.events import emit_event

    for asset in upstream:
        emit_event(REFERENCED, resource=as_resource(asset))
    related = [
        {"headwater.resource.id": a.key, "headwater.resource.role": "asset"} for a in upstream
    ]
    if by:
        related.append(
            {"headwater.resource.id": by, "headwater.resource.role": "asset-materialized-by"}
        )
    for asset in downstream:
        emit_event(
            MATERIALIZATION + status,
            resource=as_resource(asset),
            related=related,
            payload=metadata.get(asset.key),
        )


def as_resource(asset: Asset) -> dict[str, str]:
    """The asset as an event's resource: its key, and its properties when given."""
    resource = {"headwater.resource.id": asset.key}
    props = asset.properties
    if props is not None:
        if props.name is not None:
            resource["headwater.resource.name"] = props.name
        if props.description is not None:
            resource["headwater.asset.description"] = props.description
        if props.url is not None:
            resource["headwater.asset.url"] = props.url
        if props.owners is not None:
            resource["headwater.asset.owners"] = json.dumps(props.owners)
    return resource
