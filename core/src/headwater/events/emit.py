"""`emit_event`: validate, attach the current run as a related resource, record."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from headwater.events.schemas.events import Event, RelatedResource, Resource
from headwater.history.records import Event as EventRecord

MAX_RELATED = 100


def emit_event(
    event: str,
    resource: dict[str, str] | Resource,
    occurred: datetime.datetime | float | None = None,
    related: list[dict[str, str]] | list[RelatedResource] | None = None,
    payload: dict[str, Any] | None = None,
    id: uuid.UUID | str | None = None,
    follows: Event | None = None,
    **kwargs: Any,
) -> Event:
    """Record an event about `resource` and return it (Prefect's `Event`).

    `resource` needs a non-empty `prefect.resource.id` (or headwater's
    `headwater.resource.id`); each related resource also needs a `...resource.role`.
    Inside a flow or task run, the run is added as a related resource.
    Extra keyword arguments join the payload.
    """
    from headwater.history.ids import new_run_id

    related_list = list(related or [])
    if len(related_list) > MAX_RELATED:
        raise ValueError(
            f"An event may have at most {MAX_RELATED} related resources, got {len(related_list)}"
        )
    body = dict(payload or {})
    if kwargs:
        body.update(kwargs)
    try:
        result = Event(
            event=event,
            resource=resource,
            occurred=occurred,  # type: ignore[arg-type]
            related=[_related(r, i) for i, r in enumerate(related_list)],
            payload=body,
            id=id if id is not None else new_run_id(),
            follows=follows.id if isinstance(follows, Event) else follows,
        )
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"emit_event({event!r}): {exc}") from None
    result.related.extend(_current_runs(result.related))
    _recorder().record_event(
        EventRecord(
            id=str(result.id),
            event=result.event,
            occurred=result.occurred.timestamp(),
            resource=result.resource.model_dump(),
            payload=result.payload,
            related=[r.model_dump() for r in result.related],
            follows=str(result.follows) if result.follows else None,
        )
    )
    return result


def _related(labels: Any, index: int) -> RelatedResource:
    if isinstance(labels, RelatedResource):
        return labels
    try:
        return RelatedResource(labels)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"related[{index}]: {exc}") from None


def _current_runs(already: list[RelatedResource]) -> list[RelatedResource]:
    from headwater.context import FlowRunContext, TaskRunContext

    ids = {r.id for r in already}
    found = []
    task_ctx = TaskRunContext.get()
    flow_ctx = FlowRunContext.get() or (task_ctx.flow_run_context if task_ctx else None)
    if flow_ctx is not None:
        found.append(("flow-run", flow_ctx.flow_run.id, flow_ctx.flow_run.name))
    if task_ctx is not None:
        found.append(("task-run", task_ctx.task_run.id, task_ctx.task_run.name))
    return [
        RelatedResource(
            {
                "headwater.resource.id": f"headwater.{role}.{run_id}",
                "headwater.resource.role": role,
                "headwater.resource.name": name,
            }
        )
        for role, run_id, name in found
        if f"headwater.{role}.{run_id}" not in ids
    ]


def _recorder() -> Any:
    from headwater.context import FlowRunContext, TaskRunContext

    ctx = TaskRunContext.get() or FlowRunContext.get()
    if ctx is not None:
        return ctx.recorder
    from headwater.history import get_store

    return get_store()
