"""emit_event: validation, the current run attached, recorded in the store."""

from __future__ import annotations

import datetime

import pytest
from headwater import flow, task
from headwater.events import emit_event
from headwater.history import get_store


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
    assert row["id"] == str(event.id) and row["event"] == "cache.warmed"
    assert row["occurred"] == when.timestamp()
    assert row["resource"] == {"headwater.resource.id": "cache", "headwater.resource.name": "main"}
    assert row["payload"] == {"keys": 3, "extra": "kept"} and row["related"] == []


def test_emit_inside_runs_relates_them_and_follows() -> None:
    @task
    def step() -> str:
        first = emit_event("step.started", resource={"prefect.resource.id": "step"})
        emit_event("step.done", resource={"prefect.resource.id": "step"}, follows=first)
        return str(first.id)

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
        ({"event": "e", "resource": {}}, "emit_event\\('e'\\).*non-empty 'prefect.resource.id'"),
        ({"event": "e", "resource": {"headwater.resource.id": ""}}, "non-empty"),
        ({"event": " e", "resource": {"headwater.resource.id": "x"}}, "event name ' e'"),
        ({"event": "a\nb", "resource": {"headwater.resource.id": "x"}}, "control characters"),
        ({"event": "e", "resource": {"prefect.resource.id": "x"}, "id": "nope"}, "UUID, got 'nope'"),
        (
            {"event": "e", "resource": {"headwater.resource.id": "x"},
             "related": [{"headwater.resource.id": "y"}]},
            "related\\[0\\]: a related resource needs a 'prefect.resource.role'",
        ),
    ],
)  # fmt: skip
def test_bad_events_are_refused_and_nothing_recorded(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        emit_event(**kwargs)
    assert recorded() == []


def test_emit_returns_prefects_event_shape() -> None:
    import uuid

    from headwater.events.schemas.events import Event, RelatedResource, Resource

    event = emit_event(
        event="data.loaded",
        resource={"prefect.resource.id": "warehouse", "prefect.resource.name": "Warehouse"},
        related=[{"headwater.resource.id": "job-1", "headwater.resource.role": "job"}],
        payload={"rows": 10},
    )
    assert isinstance(event, Event) and isinstance(event.id, uuid.UUID)
    assert event.occurred.tzinfo is not None and event.event == "data.loaded"
    assert isinstance(event.resource, Resource) and event.resource.id == "warehouse"
    assert event.resource["prefect.resource.name"] == "Warehouse" == event.resource.name
    assert event.resource.get("headwater.resource.name") == "Warehouse"
    assert event.resource.get("missing", "default") == "default"
    (job,) = event.related
    assert isinstance(job, RelatedResource) and job.role == "job" and job.id == "job-1"
    assert job["prefect.resource.role"] == "job" and event.resource_in_role["job"] is job
    assert event.payload == {"rows": 10}
    assert event.model_dump(mode="json")["id"] == str(event.id)


def test_occurred_and_id_are_normalised() -> None:
    import uuid

    given = uuid.uuid4()
    event = emit_event("x.y", {"prefect.resource.id": "r"}, occurred=0.0, id=str(given))
    assert event.id == given
    assert event.occurred == datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    naive = emit_event("x.y", {"prefect.resource.id": "r"}, occurred=datetime.datetime.now())
    assert naive.occurred.tzinfo is not None


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"event": 3, "resource": {"prefect.resource.id": "x"}}, TypeError, "must be a string, got 3"),
        ({"event": "e", "resource": "x"}, TypeError, "dict of string labels, got str"),
        ({"event": "e", "resource": {"prefect.resource.id": 5}}, TypeError, "label 'prefect.resource.id': 5"),
        ({"event": "e", "resource": {"prefect.resource.id": "x"}, "occurred": "today"},
         TypeError, "occurred must be a datetime"),
    ],
)  # fmt: skip
def test_wrong_types_are_refused_by_name(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        emit_event(**kwargs)
    assert recorded() == []


def test_seed_events_example_records_its_events() -> None:
    import runpy
    from pathlib import Path

    example = Path(__file__).parents[3] / "examples" / "events.py"
    namespace = runpy.run_path(str(example))
    assert namespace["data_pipeline"]() == 5
    names = [row["event"] for row in recorded()]
    for name in ("data.extracted", "data.transformed", "data.loaded", "pipeline.completed"):
        assert name in names


def test_the_returned_time_is_the_recorded_time() -> None:
    event = emit_event("x.y", {"prefect.resource.id": "r"})
    (row,) = recorded()
    assert event.occurred.timestamp() == row["occurred"]
    assert event.occurred.tzinfo is datetime.timezone.utc
    event.occurred = datetime.datetime(2026, 3, 4)  # settable, made aware as in __init__
    assert event.occurred.tzinfo is not None


def test_a_name_refused_once_is_refused_again() -> None:
    for _ in range(2):
        with pytest.raises(ValueError, match="control characters"):
            emit_event("a\tb", {"prefect.resource.id": "x"})
    with pytest.raises(TypeError, match="must be a string"):
        emit_event(["not", "hashable"], {"prefect.resource.id": "x"})  # type: ignore[arg-type]
    assert recorded() == []


def test_a_payload_that_contains_itself_is_stored_as_text_beside_the_others() -> None:
    cyclic: dict = {"rows": 1}
    cyclic["self"] = cyclic
    emit_event("x.cyclic", {"prefect.resource.id": "r"}, payload=cyclic)
    emit_event("x.plain", {"prefect.resource.id": "r"}, payload={"rows": 2})
    rows = {row["event"]: row for row in recorded()}
    assert rows["x.plain"]["payload"] == {"rows": 2}
    assert "'rows': 1" in str(rows["x.cyclic"]["payload"])


def test_events_in_one_batch_keep_their_own_related_resources() -> None:
    job = {"headwater.resource.id": "job-1", "headwater.resource.role": "job"}

    @task
    def step() -> None:
        emit_event("in.task", resource={"prefect.resource.id": "a"})
        emit_event("in.task.with.job", resource={"prefect.resource.id": "a"}, related=[job])

    @flow
    def pipeline() -> None:
        step()
        emit_event("in.flow", resource={"prefect.resource.id": "b"})

    emit_event("outside", resource={"prefect.resource.id": "c"})
    emit_event("outside.with.job", resource={"prefect.resource.id": "c"}, related=[job])
    pipeline()
    roles = {
        row["event"]: sorted(r["headwater.resource.role"] for r in row["related"])
        for row in recorded()
        if not row["event"].startswith("headwater.")
    }
    assert roles == {
        "outside": [],
        "outside.with.job": ["job"],
        "in.task": ["flow-run", "task-run"],
        "in.task.with.job": ["flow-run", "job", "task-run"],
        "in.flow": ["flow-run"],
    }
