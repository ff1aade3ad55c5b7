"""Which recorded events to read: by name, resource, related resource and time.

One `EventFilter` gives both the SQL condition the run history runs (so reading
a few events of a large history stays cheap) and the same test in Python
(`matches`, for rows already in hand). Names and ids compare in canonical form
(`names`), so `prefect.flow-run.Failed` finds `headwater.flow-run.Failed`.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from headwater.events import names
from headwater.history.base import RunHistory

__all__ = ["EventFilter", "read_events"]

_RESOURCE_ID = (
    "coalesce({doc} ->> '$.\"headwater.resource.id\"', {doc} ->> '$.\"prefect.resource.id\"')"
)


def _name_pattern(pattern: str) -> str:
    """A name without `*` matches as a prefix (`headwater.flow-run` finds every flow-run event)."""
    return pattern if "*" in pattern else pattern + "*"


def _any_glob(expression: str, patterns: Sequence[str]) -> tuple[str, list[Any]]:
    canonical = names.sql_canonical(expression)
    clause = " OR ".join(f"{canonical} GLOB ?" for _ in patterns)
    return clause, [names.glob_pattern(p) for p in patterns]


def _resource_id(labels: Mapping[str, Any] | None) -> str:
    labels = labels or {}
    return str(labels.get("headwater.resource.id") or labels.get("prefect.resource.id") or "")


@dataclass(frozen=True)
class EventFilter:
    """Events matching every given criterion; within one criterion, any of its patterns.

    Patterns use `*` as a wildcard. An event-name pattern without `*` matches as
    a prefix; resource and related ids without `*` must match whole.
    """

    event: tuple[str, ...] = ()
    resource_id: tuple[str, ...] = ()
    related_id: tuple[str, ...] = ()
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None

    def where(self) -> tuple[str, list[Any]] | None:
        """The SQL condition on the `events` table, with its parameters (None: no condition)."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.event:
            clause, values = _any_glob("event", [_name_pattern(p) for p in self.event])
            clauses.append(clause)
            params += values
        if self.resource_id:
            clause, values = _any_glob(_RESOURCE_ID.format(doc="resource_json"), self.resource_id)
            clauses.append(clause)
            params += values
        if self.related_id:
            clause, values = _any_glob(_RESOURCE_ID.format(doc="r.value"), self.related_id)
            clauses.append(f"EXISTS (SELECT 1 FROM json_each(related_json) r WHERE {clause})")
            params += values
        if not clauses:
            return None
        return " AND ".join(f"({c})" for c in clauses), params

    def matches(self, event: Mapping[str, Any]) -> bool:
        """The same test on an event as `read_events` returns it (a dict)."""
        if self.event and not any(
            names.matches(_name_pattern(p), event["event"]) for p in self.event
        ):
            return False
        if self.resource_id:
            rid = _resource_id(event.get("resource"))
            if not any(names.matches(p, rid) for p in self.resource_id):
                return False
        if self.related_id:
            ids = [_resource_id(r) for r in event.get("related") or ()]
            if not any(names.matches(p, rid) for p in self.related_id for rid in ids):
                return False
        occurred = event["occurred"]
        if self.since is not None and occurred < self.since.timestamp():
            return False
        return not (self.until is not None and occurred > self.until.timestamp())


def read_events(
    history: RunHistory,
    where: EventFilter | None = None,
    limit: int | None = 100,
    after: int | None = None,
    oldest_first: bool = False,
) -> list[dict[str, Any]]:
    """Recorded events matching `where`, newest first (or oldest first), each with its `seq`."""
    where = where or EventFilter()
    matching = getattr(history, "read_matching_events", None)
    if matching is not None:  # a history that cannot run SQL (a server's, over HTTP)
        found: list[dict[str, Any]] = matching(where, limit, after, oldest_first)
        return found
    return history.read_events(
        limit,
        after=after,
        since=where.since.timestamp() if where.since else None,
        until=where.until.timestamp() if where.until else None,
        where=where.where(),
        oldest_first=oldest_first,
    )
