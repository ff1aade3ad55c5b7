"""Large batches on PostgreSQL (written by COPY and one upsert per run table) read back
exactly as the same records do from the embedded store: runs re-sent with new fields,
states of runs recorded earlier, NUL characters; and a state that breaks the COPY."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from headwater.exceptions import RunStoreError
from headwater.history import Event, FlowRun, LogEntry, StateChange, TaskRun
from headwater.history.sqlite import SQLiteRunStore
from headwater_server.database import SQLAlchemyRunStore
from headwater_server.database.open import open_database

FLOW, SUBFLOW = "0190a1b2-c3d4-7e5f-0001-8a9b0000f10a", "0190a1b2-c3d4-7e5f-0002-8a9b0000f10a"


def _task(n: int, **changes: Any) -> TaskRun:
    fields: dict[str, Any] = {"created": 200.0 + n, "tags": ("even",) if n % 2 else ("odd", "x")}
    return TaskRun(f"0190a1b2-c3d4-7e5f-{n:04d}-8a9b0000c0de", f"t-{n}", "work", FLOW,
                   str(n), **(fields | changes))  # fmt: skip


def _batches() -> list[dict[str, list[Any]]]:
    tasks = [_task(n) for n in range(120)]
    flows = [
        FlowRun(FLOW, "big-run", "etl", tags=("nightly",), created=199.0),
        FlowRun(SUBFLOW, "sub", "child", parent_task_run_id=tasks[7].id, created=210.0),
    ]
    states = [StateChange(FLOW, "flow", "RUNNING", "Running", None, 199.5)]
    for n, task in enumerate(tasks):
        states.append(StateChange(task.id, "task", "PENDING", "Pending", None, 200.1 + n))
        states.append(StateChange(task.id, "task", "RUNNING", "Running", "go\x00", 200.2 + n))
    states.append(StateChange(SUBFLOW, "flow", "RUNNING", "Running", None, 210.5))
    logs = [LogEntry(t.id, "task", 20, f"line {n}\x00", 200.3 + n, "lg", t.name)
            for n, t in enumerate(tasks)]  # fmt: skip
    events = [Event(f"ev-{n}", "my.event", 300.0 + n, {"headwater.resource.id": f"e.{n}"})
              for n in range(5)]  # fmt: skip
    first = {"flow_runs": flows, "task_runs": tasks, "states": states, "logs": logs,
             "events": events}  # fmt: skip
    second = {
        "flow_runs": [FlowRun(FLOW, "big-run", "etl", "2.0", tags=("nightly",), created=199.0)],
        "task_runs": [_task(n, cache_key=f"k{n}", run_count=1) for n in range(0, 120, 3)],
        "states": [StateChange(t.id, "task", "COMPLETED", "Completed", "ok", 400.0 + n)
                   for n, t in enumerate(tasks)]
        + [StateChange(SUBFLOW, "flow", "COMPLETED", "Completed", None, 401.0)],
        "logs": [], "events": [],
    }  # fmt: skip
    return [first, second]


def _readings(store: Any) -> dict[str, Any]:
    return {
        "flow_runs": store.read_flow_runs(),
        "task_runs": store.read_task_runs(),
        "states": [store.read_states(t["id"]) for t in store.read_task_runs()[:10]],
        "logs": store.read_logs(FLOW),
        "events": store.read_events(limit=None, oldest_first=True),
    }


def _written(url: str) -> dict[str, Any]:
    store = open_database(url)
    try:
        for n, batch in enumerate(_batches()):
            assert store.write_batch(f"bulk-{n}", **batch) is True
        return _readings(store)
    finally:
        store.close()


def _embedded(home: Path) -> dict[str, Any]:
    store = SQLiteRunStore(home)
    try:
        for batch in _batches():
            for method, key in (("record_flow_run", "flow_runs"), ("record_task_run", "task_runs"),
                                ("record_state", "states"), ("record_log", "logs"),
                                ("record_event", "events")):  # fmt: skip
                for record in batch[key]:
                    getattr(store, method)(record)
            store.flush()
        return _readings(store)
    finally:
        store.close()


def test_a_large_batch_reads_back_as_from_the_embedded_store(pg_url: str, tmp_path: Path) -> None:
    expected = _embedded(tmp_path / "home")
    found = _written(pg_url)
    assert len(expected["events"]) == 1 + 240 + 1 + 5 + 121  # every state has its event
    assert any("\ufffd" in e.get("resource", {}).get("headwater.state-message", "")
               for e in found["events"])  # fmt: skip
    for key, value in expected.items():  # NUL stays in SQLite, is U+FFFD on PostgreSQL
        assert _no_nul(found[key]) == _no_nul(value), key


def _no_nul(value: Any) -> Any:
    """`value` with NUL as PostgreSQL stores it, and without `process_id` (none here)."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, list | tuple):
        return type(value)(_no_nul(v) for v in value)
    if isinstance(value, dict):
        return {k: _no_nul(v) for k, v in value.items() if k != "process_id"}
    return value


def test_a_state_that_breaks_the_copy_leaves_nothing_and_names_the_database(pg_url: str) -> None:
    store: SQLAlchemyRunStore = open_database(pg_url)
    try:
        batch = _batches()[0]
        batch["states"].append(StateChange(FLOW, "flow", None, None, None, 1.0))  # type: ignore[arg-type]
        with pytest.raises(RunStoreError, match="run history database"):
            store.write_batch("broken", **batch)
        assert store.read_flow_runs() == [] and store.last_event_seq() == 0
        assert store.write_batch("broken", **_batches()[0]) is True
    finally:
        store.close()
