"""Prefect's `prefect.` spelling and headwater's `headwater.` name the same thing, in Python and SQL."""

from __future__ import annotations

import datetime

import pytest
from headwater.events import emit_event
from headwater.events.filters import EventFilter, read_events
from headwater.events.names import canonical, matches, other_spelling
from headwater.events.schemas.events import Resource
from headwater.history import get_store


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("prefect.flow-run.Failed", "headwater.flow-run.Failed", True),
        ("headwater.flow-run.Failed", "prefect.flow-run.Failed", True),
        ("prefect.flow-run.*", "headwater.flow-run.Completed", True),
        ("*.Failed", "headwater.task-run.Failed", True),
        ("prefect.flow-run.*", "headwater.task-run.Completed", False),
        ("prefect.flow-run.Failed", "headwater.flow-run.Failed.extra", False),
        ("data.*", "data.loaded", True),
        ("data.?oaded", "data.loaded", False),  # only * is a wildcard
        ("data.[l]oaded", "data.[l]oaded", True),
        ("prefectx.a", "headwater.a", False),
    ],
)
def test_patterns_match_either_spelling(pattern: str, value: str, expected: bool) -> None:
    assert matches(pattern, value) is expected


def test_canonical_and_other_spelling() -> None:
    assert canonical("prefect.resource.id") == "headwater.resource.id"
    assert canonical("my.event") == "my.event"
    assert other_spelling("headwater.state-name") == "prefect.state-name"
    assert other_spelling("prefect.resource.role") == "headwater.resource.role"
    assert other_spelling("custom.label") is None


def test_resource_labels_read_in_either_spelling() -> None:
    resource = Resource({"headwater.resource.id": "x", "headwater.state-name": "Failed"})
    assert resource["prefect.state-name"] == "Failed"
    assert resource.id == "x" and resource.get("prefect.resource.id") == "x"


CASES = [
    (EventFilter(event=("prefect.flow-run",)), 2),
    (EventFilter(event=("headwater.flow-run.Failed", "data.*")), 3),
    (EventFilter(event=("*.loaded",)), 1),
    (EventFilter(event=("data.[x]",)), 1),
    (EventFilter(resource_id=("prefect.flow-run.*",)), 2),
    (EventFilter(resource_id=("warehouse",)), 1),
    (EventFilter(related_id=("prefect.tag.nightly",)), 1),
    (EventFilter(related_id=("headwater.flow.*",), event=("headwater.task",)), 1),
    (EventFilter(since=datetime.datetime.fromtimestamp(150, datetime.timezone.utc)), 3),
    (EventFilter(until=datetime.datetime.fromtimestamp(150, datetime.timezone.utc)), 3),
]


@pytest.mark.parametrize(("where", "count"), CASES)
def test_sql_filter_and_python_filter_agree(where: EventFilter, count: int) -> None:
    def emit(name: str, rid: str, when: float, related: list[dict] | None = None) -> None:
        emit_event(name, {"prefect.resource.id": rid}, occurred=when, related=related)

    emit("headwater.flow-run.Failed", "headwater.flow-run.1", 100)
    emit("prefect.flow-run.Completed", "prefect.flow-run.2", 200)
    emit("headwater.task-run.Running", "headwater.task-run.3", 150,
         [{"prefect.resource.id": "prefect.flow.etl", "prefect.resource.role": "flow"},
          {"headwater.resource.id": "headwater.tag.nightly", "headwater.resource.role": "tag"}])  # fmt: skip
    emit("data.loaded", "warehouse", 300)
    emit("data.[x]", "warehouse.copy", 50)
    store = get_store()
    store.flush()
    everything = store.read_events(limit=None)
    expected = [e["id"] for e in everything if where.matches(e)]
    got = [e["id"] for e in read_events(store, where, limit=None)]
    assert got == expected
    assert len(got) == count
