"""`emit_event`: validate, attach the current run as a related resource, record.

This runs inside tasks, so it is kept to a few microseconds: validation is plain
Python (no pydantic), the record handed to the store shares the event's label
dicts instead of copying them, and the store only queues it; encoding and I/O
happen on the store's writer thread.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from time import time_ns as _time_ns
from typing import Any

from headwater.context import _flow_run, _task_run
from headwater.events.names import canonical
from headwater.events.schemas.events import (
    Event,
    RelatedResource,
    Resource,
    _aware,
    _uuid,
    check_event_name,
)
from headwater.history import get_store
from headwater.history.ids import new_run_id
from headwater.history.records import Event as EventRecord

MAX_RELATED = 100

#: where events emitted outside a run go instead of the process's store (a server's
#: automations record into the server's database: see `recording_into`)
_recorder: ContextVar[Any] = ContextVar("headwater_event_recorder", default=None)


@contextmanager
def recording_into(recorder: Any) -> Iterator[None]:
    """Within the block, events emitted outside a run are recorded by `recorder` (an
    object with `record_event(Event record)`) instead of the process's run store."""
    token = _recorder.set(recorder)
    try:
        yield
    finally:
        _recorder.reset(token)


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
    if related and len(related) > MAX_RELATED:
        raise ValueError(
            f"emit_event({event!r}): an event may have at most {MAX_RELATED} related "
            f"resources, got {len(related)}"
        )
    body = dict(payload) if payload else {}
    if kwargs:
        body.update(kwargs)
    try:
        if type(event) is not str or event not in _good_names:
            _remember(check_event_name(event))
        # a dict is the usual case: skip the (abstract-class) isinstance check
        subject = (
            Resource(resource)
            if type(resource) is dict or not isinstance(resource, Resource)
            else resource
        )
        others = [_related(r, i) for i, r in enumerate(related)] if related else []
        if occurred is None:
            # whole microseconds, so the datetime made from it on reading gives back
            # exactly the timestamp recorded
            timestamp = occurred = _time_ns() // 1000 / 1e6
        else:
            occurred = _aware(occurred)
            timestamp = occurred.timestamp()
        event_id: uuid.UUID | str = new_run_id() if id is None else _uuid(id, "id")
        follows_id = None
        if follows is not None:
            follows_id = follows.id if isinstance(follows, Event) else _uuid(follows, "follows")
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"emit_event({event!r}): {exc}") from None
    task_ctx = _task_run.get()
    flow_ctx = _flow_run.get() or (task_ctx.flow_run_context if task_ctx else None)
    if task_ctx is not None or flow_ctx is not None:
        others.extend(_current_runs(others, flow_ctx, task_ctx))
        recorder = (task_ctx or flow_ctx).recorder  # type: ignore[union-attr]
    else:
        recorder = _recorder.get() or get_store()
    recorder.record_event(
        EventRecord(
            event_id if type(event_id) is str else str(event_id),
            event,
            timestamp,
            subject._labels,
            body,
            [r._labels for r in others],
            str(follows_id) if follows_id else None,
        )
    )
    return Event._from_checked(event, subject, others, occurred, body, event_id, follows_id)


#: event names already checked (names repeat: checking once each saves most of the cost)
_good_names: set[str] = set()


def _remember(name: str) -> None:
    if len(_good_names) >= 4096:
        _good_names.clear()
    _good_names.add(name)


def _related(labels: Any, index: int) -> RelatedResource:
    if isinstance(labels, RelatedResource):
        return labels
    try:
        return RelatedResource(labels)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"related[{index}]: {exc}") from None


def _current_runs(already: list[RelatedResource], flow_ctx: Any, task_ctx: Any) -> list[Any]:
    found = []
    if flow_ctx is not None:
        run = flow_ctx.flow_run
        found.append(_run_resource("flow-run", run.id, run.name))
    if task_ctx is not None:
        run = task_ctx.task_run
        found.append(_run_resource("task-run", run.id, run.name))
    if not already:
        return found
    ids = {canonical(r.id) for r in already}
    return [r for r in found if r.id not in ids]


@lru_cache(maxsize=1024)
def _run_resource(role: str, run_id: str, name: str) -> RelatedResource:
    """The run as a related resource; the same (immutable) object for its every event."""
    return RelatedResource.trusted(
        {
            "headwater.resource.id": f"headwater.{role}.{run_id}",
            "headwater.resource.role": role,
            "headwater.resource.name": name,
        }
    )
