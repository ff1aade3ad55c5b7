"""SQLAlchemyRunStore answers exactly as the embedded store on the same records (PostgreSQL
and a SQLite URL), applies each batch once, pages task runs by key, and names the database
with its password masked when it cannot be used."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from headwater.events.filters import EventFilter
from headwater.exceptions import RunStoreError
from headwater.history import Event, FlowRun, LogEntry, StateChange, TaskRun
from headwater.history.sqlite import SQLiteRunStore
from headwater_server.database import SQLAlchemyRunStore
from headwater_server.database.open import open_database
from hw_postgres import PG_PASSWORD, Postgres


def _id(n: int) -> str:
    return f"0190a1b2-c3d4-7e5f-{n:04d}-8a9b0000c0de"


F, T1, T2, SUB, T3 = _id(1), _id(2), _id(3), _id(4), _id(5)


def _state(
    run: str, kind: str, kind_name: tuple[str, str], ts: float, msg: str | None = None
) -> StateChange:
    return StateChange(run, kind, kind_name[0], kind_name[1], msg, ts)


PENDING, RUNNING, DONE = ("PENDING", "Pending"), ("RUNNING", "Running"), ("COMPLETED", "Completed")


def _batches() -> list[dict[str, list[Any]]]:
    """Two batches, as a client sends them: the second updates runs the first recorded."""
    first = {
        "flow_runs": [
            FlowRun(F, "quiet-fox", "etl", "1.0", {"n": 2}, ("nightly",), created=100.25),
            FlowRun(SUB, "sub-run", "child", parameters={}, parent_task_run_id=T2, created=101.5),
        ],
        "task_runs": [
            TaskRun(T1, "add-0", "add", F, "0", {"x": [T2]}, ("fast",), created=100.5),
            TaskRun(T2, "child-0", "child", F, created=100.75),
        ],
        "states": [
            _state(F, "flow", PENDING, 100.3),
            _state(F, "flow", RUNNING, 100.4),
            _state(T1, "task", PENDING, 100.6),
            _state(T1, "task", RUNNING, 100.7),
            _state(T1, "task", DONE, 100.8),
            _state(T2, "task", PENDING, 100.9),
            _state(T2, "task", RUNNING, 101.0),
            _state(SUB, "flow", RUNNING, 101.6),
        ],  # fmt: skip
        "logs": [
            LogEntry(F, "flow", 20, "starting", 100.41, "headwater.flow_runs", "quiet-fox"),
            LogEntry(T1, "task", 20, "adding 1", 100.71, "headwater.task_runs", "add-0"),
        ],
        "events": [
            Event(
                _id(90),
                "my.event",
                100.72,
                {"headwater.resource.id": "thing.1"},
                {"k": [1, 2]},
                [{"headwater.resource.id": "other", "headwater.resource.role": "x"}],
            ),
        ],  # fmt: skip
    }
    second = {
        "flow_runs": [
            FlowRun(
                F, "quiet-fox", "etl", "1.0", {"n": 2}, ("nightly",), created=100.25, run_count=1
            )
        ],
        "task_runs": [TaskRun(T3, "boom-0", "boom", F, created=102.0, cache_key="ck")],
        "states": [
            _state(SUB, "flow", DONE, 101.9),
            _state(T2, "task", DONE, 102.1),
            _state(T3, "task", RUNNING, 102.2),
            _state(T3, "task", ("FAILED", "Failed"), 102.3, "boom"),
            _state(F, "flow", ("FAILED", "Failed"), 102.4, "1/3 states failed"),
        ],  # fmt: skip
        "logs": [LogEntry(T3, "task", 40, "boom!", 102.25, "headwater.task_runs", "boom-0")],
        "events": [],
    }
    return [first, second]


def _embedded(home: Path) -> SQLiteRunStore:
    store = SQLiteRunStore(home)
    for batch in _batches():
        for method, key in (("record_flow_run", "flow_runs"), ("record_task_run", "task_runs"),
                            ("record_state", "states"), ("record_log", "logs"),
                            ("record_event", "events")):  # fmt: skip
            for record in batch[key]:
                getattr(store, method)(record)
        store.flush()
    return store


def _readings(history: Any) -> dict[str, Any]:
    def plain(rows: Any) -> Any:
        if isinstance(rows, list):
            return [plain(r) for r in rows]
        if isinstance(rows, dict):
            return {k: v for k, v in rows.items() if k != "process_id"}
        return rows

    reads = {
        "flow_runs": history.read_flow_runs(),
        "flow_runs_failed_etl": history.read_flow_runs(state="failed", flow_name="etl"),
        "flow_run_by_prefix": history.read_flow_run(SUB[:23]),
        "ambiguous_prefix": history.read_flow_run(F[:19]),
        "task_runs": history.read_task_runs(),
        "task_runs_of_f_completed": history.read_task_runs(flow_run_id=F, state="Completed"),
        "task_runs_limit": history.read_task_runs(limit=2),
        "task_run": history.read_task_run(T3),
        "find_by_name": history.find_runs("task", "boom-0"),
        "find_by_suffix": history.find_runs("flow", SUB[-6:]),
        "states": [history.read_states(r) for r in (F, T1, T2, SUB, T3)],
        "logs": history.read_logs(F),
        "logs_own": history.read_logs(F, include_task_runs=False),
        "events": history.read_events(limit=None, oldest_first=True),
        "events_after": history.read_events(3, after=2),
        "events_between": history.read_events(since=100.7, until=101.0),
        "last_seq": history.last_event_seq(),
        "events_named": history.read_events(
            where=EventFilter(event=("headwater.task-run",)).where()
        ),
        "events_related": history.read_events(
            2, where=EventFilter(related_id=(f"headwater.flow-run.{F}",)).where(), oldest_first=True
        ),
        "events_resource": history.read_events(
            where=EventFilter(resource_id=("thing.*", f"headwater.flow-run.{SUB}")).where()
        ),
        "count": history.count_task_runs(),
        "count_f": history.count_task_runs(F),
    }
    return {k: plain(v) for k, v in reads.items()}


@pytest.fixture(params=["postgres", "sqlite"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def store(db_url: str) -> Any:
    found = open_database(db_url)
    yield found
    found.close()


def test_same_answers_as_the_embedded_store(store: SQLAlchemyRunStore, tmp_path: Path) -> None:
    for n, batch in enumerate(_batches()):
        assert store.write_batch(f"batch-{n}", **batch) is True
    embedded = _embedded(tmp_path / "home")
    try:
        expected = _readings(embedded)
    finally:
        embedded.close()
    found = _readings(store)
    assert expected["events"] and expected["flow_run_by_prefix"]  # the records are there
    assert len(expected["events_related"]) == 2 and len(expected["events_resource"]) == 3
    for key, value in expected.items():
        assert found[key] == value, key


def test_a_batch_is_applied_once(store: SQLAlchemyRunStore) -> None:
    first = _batches()[0]
    assert store.write_batch("same-id", **first) is True
    assert store.write_batch("same-id", **first) is False
    assert store.count_task_runs() == 2
    assert len(store.read_states(T1)) == 3 and len(store.read_logs(F)) == 2
    assert store.last_event_seq() == len(first["states"]) + len(first["events"])


def test_a_failing_batch_leaves_nothing_behind(store: SQLAlchemyRunStore) -> None:
    broken = _batches()[0]
    broken["logs"] = [LogEntry(F, "flow", 20, None, 1.0, "x", "y")]  # type: ignore[arg-type]
    with pytest.raises(RunStoreError):
        store.write_batch("broken", **broken)
    assert store.read_flow_runs() == [] and store.last_event_seq() == 0
    assert store.write_batch("broken", **_batches()[0]) is True  # its id was not kept


def test_task_runs_page_by_key(store: SQLAlchemyRunStore) -> None:
    runs = [TaskRun(_id(1000 + i), f"t-{i}", "t", F, created=float(i // 3)) for i in range(25)]
    store.write_batch("many", [], runs, [], [], [])
    whole = store.read_task_runs()
    pages: list[dict[str, Any]] = []
    before = None
    while True:
        page = store.read_task_runs(limit=4, before=before)
        if not page:
            break
        pages += page
        before = (page[-1]["created"], page[-1]["id"])
    assert [r["id"] for r in pages] == [r["id"] for r in whole] and len(whole) == 25
    assert [r["created"] for r in whole] == sorted((r["created"] for r in whole), reverse=True)


def test_errors_name_the_database_and_the_fix_never_the_password(postgres: Postgres) -> None:
    wrong_password = postgres.url().replace(PG_PASSWORD, PG_PASSWORD + "-wrong")
    missing_db = postgres.url("no_such_database")
    from hw_services import free_port

    nobody_listens = postgres.url().replace(f":{postgres.port}/", f":{free_port()}/")
    cases = [
        (wrong_password, "check the user and password"),
        (missing_db, "create that database"),
        (nobody_listens, "start the PostgreSQL server"),
    ]
    for url, fix in cases:
        with pytest.raises(RunStoreError) as caught:
            open_database(url)
        text = str(caught.value)
        assert fix in text and "***" in text, text
        assert PG_PASSWORD not in text and PG_PASSWORD not in repr(caught.value), text
        assert (
            caught.value.__cause__ is None
            and caught.value.__context__ is None
            or (PG_PASSWORD not in str(caught.value.__context__))
        )
    assert PG_PASSWORD not in repr(SQLAlchemyRunStore(postgres.url()))


def test_nul_characters_neither_fail_a_batch_nor_a_read(store: SQLAlchemyRunStore) -> None:
    """PostgreSQL text cannot hold NUL: a log line with one is stored with U+FFFD instead
    (else its batch would fail on every retry), and a lookup by such a value finds nothing."""
    batch = _batches()[0]
    batch["logs"] = [LogEntry(F, "flow", 20, "a\x00b", 100.5, "x", "quiet-fox")]
    assert store.write_batch("nul", **batch) is True
    assert [line["message"] for line in store.read_logs(F)] in (["a\ufffdb"], ["a\x00b"])
    assert store.read_flow_run("\x00") is None and store.read_task_runs(flow_run_id="\x00") == []
    assert store.read_states("a\x00") == [] and store.find_runs("flow", "\x00") == []


def test_event_filters_read_past_one_chunk(
    store: SQLAlchemyRunStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from headwater_server.database import event_where

    monkeypatch.setattr(event_where, "CHUNK", 3)
    events = [
        Event(
            _id(500 + i),
            f"kind.{'a' if i % 4 == 0 else 'b'}",
            float(i),
            {"headwater.resource.id": "r"},
        )
        for i in range(20)
    ]
    store.write_batch("events", [], [], [], [], events)
    wanted = EventFilter(event=("kind.a",)).where()
    newest = store.read_events(3, where=wanted)
    assert [e["occurred"] for e in newest] == [16.0, 12.0, 8.0]
    oldest = store.read_events(None, where=wanted, oldest_first=True, after=2)
    assert [e["occurred"] for e in oldest] == [4.0, 8.0, 12.0, 16.0]


def test_the_same_batch_sent_at_once_by_several_clients_is_applied_once(
    store: SQLAlchemyRunStore,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    batch = _batches()[0]
    with ThreadPoolExecutor(4) as pool:
        applied = list(pool.map(lambda _: store.write_batch("retried", **batch), range(4)))
    assert sorted(applied) == [False, False, False, True]
    assert store.count_task_runs() == 2 and len(store.read_states(T1)) == 3
