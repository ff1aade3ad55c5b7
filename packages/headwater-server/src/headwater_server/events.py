"""`POST /api/events/filter`, `GET /api/events/filter/next`, `POST /api/events/count-by/...`.

Prefect's request and answer shapes (`EventFilter`, `EventPage` with `next_page`), over
the home's `events` table. Every filter value is a bound SQL parameter; names and ids
compare in canonical form (`prefect.flow-run.Completed` finds `headwater.flow-run...`).
Paging is a cursor on the event's `seq`, kept in an opaque page token, so page 500
costs what page 1 costs. Unlike Prefect, `occurred` has no default window (Prefect:
the last day): a home's whole history is its events.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from enum import Enum
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from headwater.events import names
from headwater.history import RunHistory
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from headwater_server.shapes import iso

#: Prefect's INTERACTIVE_PAGE_SIZE: the default and the largest `limit`
PAGE_SIZE = 50

_RESOURCE_ID = (
    "coalesce({doc} ->> '$.\"headwater.resource.id\"', {doc} ->> '$.\"prefect.resource.id\"')"
)


class _Filter(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OccurredFilter(_Filter):
    since: datetime | None = Field(default=None, description="at or after this time")
    until: datetime | None = Field(default=None, description="at or before this time")


class NameFilter(_Filter):
    prefix: list[str] | None = Field(default=None, description="names starting with one of these")
    exclude_prefix: list[str] | None = None
    name: list[str] | None = Field(default=None, description="exactly one of these names")
    exclude_name: list[str] | None = None
    like_: list[str] | None = Field(
        default=None, description="headwater: one of these patterns, `*` a wildcard"
    )


class ResourceFilter(_Filter):
    id: list[str] | None = Field(default=None, description="exactly one of these ids")
    id_prefix: list[str] | None = Field(default=None, description="ids starting with one of these")
    like_: list[str] | None = Field(
        default=None, description="headwater: one of these patterns, `*` a wildcard"
    )


class IdFilter(_Filter):
    id: list[str] | None = Field(default=None, description="one of these event ids")


class SeqFilter(_Filter):
    after: int | None = Field(default=None, description="headwater: recorded after this `seq`")


class EventOrder(str, Enum):
    ASC = "ASC"
    DESC = "DESC"


class EventFilter(_Filter):
    """Prefect's `EventFilter`: every given criterion must hold."""

    occurred: OccurredFilter | None = None
    event: NameFilter | None = None
    resource: ResourceFilter | None = None
    related: ResourceFilter | None = None
    id: IdFilter | None = None
    seq: SeqFilter | None = None
    order: EventOrder = EventOrder.DESC


class EventQuery(_Filter):
    """Body of `POST /api/events/filter`."""

    filter: EventFilter | None = None
    limit: int = Field(default=PAGE_SIZE, ge=0, le=PAGE_SIZE)


class Countable(str, Enum):
    event = "event"
    resource = "resource"


class CountQuery(_Filter):
    """Body of `POST /api/events/count-by/{countable}` (time units: Prefect's time counts,
    not served here)."""

    filter: EventFilter | None = None
    time_unit: str | None = None
    time_interval: float | None = None


def _literal(text: str) -> str:
    """`text` in canonical form as a GLOB pattern matching only itself."""
    return "".join(f"[{c}]" if c in "*?[]" else c for c in names.canonical(text))


def _globs(expression: str, patterns: list[str]) -> tuple[str, list[Any]]:
    canonical = names.sql_canonical(expression)
    return " OR ".join(f"{canonical} GLOB ?" for _ in patterns), patterns


def _criteria(expression: str, wanted: NameFilter | ResourceFilter) -> list[tuple[str, list[Any]]]:
    """(condition, params) for each given list of `wanted`, any one of its values matching."""
    found: list[tuple[str, list[Any]]] = []
    exact = wanted.name if isinstance(wanted, NameFilter) else wanted.id
    prefix = wanted.prefix if isinstance(wanted, NameFilter) else wanted.id_prefix
    for values in (
        [_literal(v) for v in exact or ()] if exact is not None else None,
        [_literal(v) + "*" for v in prefix or ()] if prefix is not None else None,
        [names.glob_pattern(v) for v in wanted.like_ or ()] if wanted.like_ is not None else None,
    ):
        if values is not None:
            found.append(_globs(expression, values) if values else ("0", []))
    if isinstance(wanted, NameFilter):
        for values in (
            [_literal(v) for v in wanted.exclude_name or ()],
            [_literal(v) + "*" for v in wanted.exclude_prefix or ()],
        ):
            if values:
                clause, params = _globs(expression, values)
                found.append((f"NOT ({clause})", params))
    return found


def where(flt: EventFilter, before_seq: int | None = None) -> tuple[str, list[Any]] | None:
    """The SQL condition (bound parameters only) for `flt`; `before_seq` for later pages."""
    parts: list[tuple[str, list[Any]]] = []
    if flt.event is not None:
        parts += _criteria("event", flt.event)
    if flt.resource is not None:
        parts += _criteria(_RESOURCE_ID.format(doc="resource_json"), flt.resource)
    if flt.related is not None:
        for clause, params in _criteria(_RESOURCE_ID.format(doc="r.value"), flt.related):
            parts.append(
                (f"EXISTS (SELECT 1 FROM json_each(related_json) r WHERE {clause})", params)
            )
    if flt.id is not None and flt.id.id is not None:
        marks = ", ".join("?" for _ in flt.id.id)
        parts.append((f"id IN ({marks})" if marks else "0", list(flt.id.id)))
    if flt.seq is not None and flt.seq.after is not None:
        parts.append(("seq > ?", [flt.seq.after]))
    if before_seq is not None:
        parts.append(("seq < ?" if flt.order is EventOrder.DESC else "seq > ?", [before_seq]))
    if not parts:
        return None
    return " AND ".join(f"({c})" for c, _ in parts), [p for _, ps in parts for p in ps]


def _bounds(flt: EventFilter) -> tuple[float | None, float | None]:
    occurred = flt.occurred or OccurredFilter()
    return tuple(  # type: ignore[return-value]
        None if t is None else (t if t.tzinfo else t.astimezone()).timestamp()
        for t in (occurred.since, occurred.until)
    )


def event_shape(row: dict[str, Any]) -> dict[str, Any]:
    """Prefect's `Event` JSON, plus headwater's `seq` (the cursor `seq.after` takes)."""
    return {
        "id": row["id"],
        "event": row["event"],
        "occurred": iso(row["occurred"]),
        "resource": row.get("resource") or {},
        "related": row.get("related") or [],
        "payload": row.get("payload") or {},
        "follows": row.get("follows"),
        "seq": row["seq"],
    }


def page(
    history: RunHistory, request: Request, query: EventQuery, after: int | None = None
) -> dict[str, Any]:
    """One page of events and the link to the next (None after the last page)."""
    flt = query.filter or EventFilter()
    since, until = _bounds(flt)
    rows = history.read_events(
        query.limit + 1,
        since=since,
        until=until,
        where=where(flt, after),
        oldest_first=flt.order is EventOrder.ASC,
    )
    total = history.count_events(since=since, until=until, where=where(flt))
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    next_page = None
    if more and rows:
        token = json.dumps({"query": query.model_dump(mode="json"), "after": rows[-1]["seq"]})
        encoded = base64.urlsafe_b64encode(token.encode()).decode()
        next_page = f"{request.base_url}api/events/filter/next?page-token={encoded}"
    return {"events": [event_shape(r) for r in rows], "total": total, "next_page": next_page}


def _token(page_token: str) -> tuple[EventQuery, int]:
    bad = HTTPException(
        403, "page-token is not one this server gave out; start again at POST /api/events/filter"
    )
    try:
        decoded = json.loads(base64.urlsafe_b64decode(page_token.encode()))
        after = decoded["after"]
        query = EventQuery.model_validate(decoded["query"])
    except (binascii.Error, ValueError, KeyError, TypeError, ValidationError):
        raise bad from None
    if not isinstance(after, int):
        raise bad
    return query, after


def router(history: Any) -> APIRouter:
    """The event routes; `history()` gives the run history to read."""
    api = APIRouter(tags=["Events"])

    @api.post("/events/filter")
    def read_events(request: Request, query: EventQuery | None = None) -> dict[str, Any]:
        """The first page of events matching the filter (newest first unless order is
        ASC), their total and the URL of the next page (`next_page`, null at the end)."""
        return page(history(), request, query or EventQuery())

    @api.get("/events/filter/next")
    def read_events_page(
        request: Request, page_token: str = Query(..., alias="page-token")
    ) -> dict[str, Any]:
        """The page after the one whose `next_page` gave this token."""
        query, after = _token(page_token)
        return page(history(), request, query, after)

    @api.post("/events/count-by/{countable}")
    def count_events(countable: Countable, query: CountQuery | None = None) -> list[Any]:
        """How many events match, per event name or per resource id (most first)."""
        flt = (query or CountQuery()).filter or EventFilter()
        since, until = _bounds(flt)
        rows = history().read_events(None, since=since, until=until, where=where(flt))
        counts: dict[str, int] = {}
        for row in rows:
            if countable is Countable.event:
                value = row["event"]
            else:
                labels = row.get("resource") or {}
                value = labels.get("headwater.resource.id") or labels.get("prefect.resource.id")
            counts[str(value)] = counts.get(str(value), 0) + 1
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return [
            {"value": value, "label": value, "count": count, "start_time": None, "end_time": None}
            for value, count in ordered
        ]

    return api
