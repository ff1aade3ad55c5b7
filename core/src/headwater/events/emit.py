"""`emit_event`: validate, attach the current run as a related resource, record."""

from __future__ import annotations

import datetime
import time
from typing import Any

from headwater.store.records import Event

#: label prefixes accepted for a resource id: headwater's own and Prefect's (ported code)
_ID_LABELS = ("headwater.resource.id", "prefect.resource.id")
_ROLE_LABELS = ("headwater.resource.role", "prefect.resource.role")
MAX_RELATED = 100
MAX_LABELS = 500


def emit_event(
    event: str,
    resource: dict[str, str],
    occurred: datetime.datetime | float | None = None,
    related: list[dict[str, str]] | None = None,
    payload: dict[str, Any] | None = None,
    id: str | None = None,
    follows: Event | None = None,
    **kwargs: Any,
) -> Event:
    """Record an event about `resource` and return it.

    `resource` needs a non-empty `headwater.resource.id` (or Prefect's
    `prefect.resource.id`); each related resource also needs a `...resource.role`.
    Inside a flow or task run, the run is added as a related resource.
    """
    from headwater.engine.ids import new_run_id

    if not isinstance(event, str) or not event.strip():
        raise ValueError("emit_event needs an event name, e.g. emit_event('data.loaded', ...)")
    _check_resource(resource, "resource", need_role=False)
    related_list = [dict(r) for r in (related or [])]
    for i, rel in enumerate(related_list):
        _check_resource(rel, f"related[{i}]", need_role=True)
    related_list.extend(_current_runs(related_list))
    if len(related_list) > MAX_RELATED:
        raise ValueError(
            f"An event may have at most {MAX_RELATED} related resources, got {len(related_list)}"
        )
    if isinstance(occurred, datetime.datetime):
        occurred_ts = occurred.timestamp()
    else:
        occurred_ts = time.time() if occurred is None else float(occurred)
    body = dict(payload or {})
    if kwargs:
        body.update(kwargs)
    record = Event(
        id=id or new_run_id(),
        event=event,
        occurred=occurred_ts,
        resource=dict(resource),
        payload=body,
        related=related_list,
        follows=follows.id if follows is not None else None,
    )
    _recorder().record_event(record)
    return record


def _check_resource(labels: Any, what: str, need_role: bool) -> None:
    if not isinstance(labels, dict):
        raise TypeError(f"{what} must be a dict of labels, got {type(labels).__name__}")
    if not any(labels.get(key) for key in _ID_LABELS):
        raise ValueError(
            f"{what} needs a non-empty 'headwater.resource.id' (or 'prefect.resource.id') label; "
            f"got labels {sorted(labels)}"
        )
    if need_role and not any(labels.get(key) for key in _ROLE_LABELS):
        raise ValueError(f"{what} needs a 'headwater.resource.role' label, e.g. 'flow-run'")
    if len(labels) > MAX_LABELS:
        raise ValueError(f"{what} has {len(labels)} labels; at most {MAX_LABELS} are allowed")


def _current_runs(already: list[dict[str, str]]) -> list[dict[str, str]]:
    from headwater.context import FlowRunContext, TaskRunContext

    ids = {r.get("headwater.resource.id") or r.get("prefect.resource.id") for r in already}
    found = []
    task_ctx = TaskRunContext.get()
    flow_ctx = FlowRunContext.get() or (task_ctx.flow_run_context if task_ctx else None)
    if flow_ctx is not None:
        found.append(("flow-run", flow_ctx.flow_run.id, flow_ctx.flow_run.name))
    if task_ctx is not None:
        found.append(("task-run", task_ctx.task_run.id, task_ctx.task_run.name))
    return [
        {
            "headwater.resource.id": f"headwater.{role}.{run_id}",
            "headwater.resource.role": role,
            "headwater.resource.name": name,
        }
        for role, run_id, name in found
        if f"headwater.{role}.{run_id}" not in ids
    ]


def _recorder() -> Any:
    from headwater.context import FlowRunContext, TaskRunContext

    ctx = TaskRunContext.get() or FlowRunContext.get()
    if ctx is not None:
        return ctx.recorder
    from headwater.store import get_store

    return get_store()
