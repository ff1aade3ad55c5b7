"""emit_event: validation, the current run attached, recorded in the store."""

from __future__ import annotations

import datetime

import pytest
from headwater import flow, task
from headwater.events import emit_event
from headwater.store import get_store


def recorded() -> list[dict]:
    store = get_store()
    store.flush()
    return store.read_events(limit=100)


def test_emit_outside_a_run_is_recorded_as_given() -> None:
    when = datetime.datetime(2026, 1, 2, tzinfo=datetime.timezone.utc)
    event = emit_event(
        "cache.warmed",
        resource={"headwater.resource.id": "cache", "headwater.resource.name": "main"},
        occurred=when,
        payload={"keys": 3},
        extra="kept",
    )
    (row,) = recorded()
    assert row["id"] == event.id and row["event"] == "cache.warmed"
    assert row["occurred"] == when.timestamp()
    assert row["resource"] == {"headwater.resource.id": "cache", "headwater.resource.name": "main"}
    assert row["payload"] == {"keys": 3, "extra": "kept"} and row["related"] == []


def test_emit_inside_runs_relates_them_and_follows() -> None:
    @task
    def step() -> str:
        first = emit_event("step.started", resource={"prefect.resource.id": "step"})
        emit_event("step.done", resource={"prefect.resource.id": "step"}, follows=first)
        return first.id

    @flow
    def pipeline() -> str:
        return step()

    state = pipeline(return_state=True)
    rows = {r["event"]: r for r in recorded()}
    assert rows["step.done"]["follows"] == state.result()
    related = {r["headwater.resource.role"]: r for r in rows["step.done"]["related"]}
    assert related["flow-run"]["headwater.resource.id"].endswith(state.state_details["flow_run_id"])
    assert related["task-run"]["headwater.resource.name"].startswith("step-")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"event": "", "resource": {"headwater.resource.id": "x"}}, "needs an event name"),
        ({"event": "e", "resource": {}}, "non-empty 'headwater.resource.id'"),
        ({"event": "e", "resource": {"headwater.resource.id": ""}}, "non-empty"),
        (
            {"event": "e", "resource": {"headwater.resource.id": "x"},
             "related": [{"headwater.resource.id": "y"}]},
            "related\\[0\\] needs a 'headwater.resource.role'",
        ),
    ],
)  # fmt: skip
def test_bad_events_are_refused_and_nothing_recorded(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        emit_event(**kwargs)
    assert recorded() == []
