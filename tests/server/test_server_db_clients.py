"""`DatabaseBatchWriter` on PostgreSQL: client rows, heartbeats, and the sweep that marks a
silent client's unfinished runs Crashed (same rules as the embedded writer)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from headwater.history.records import FlowRun, StateChange, TaskRun
from headwater_server.database.batch_writer import DatabaseBatchWriter
from headwater_server.database.open import open_database
from headwater_server.ingest import BatchWriter, ClientInfo


@pytest.fixture
def writer(pg_url: str) -> Iterator[DatabaseBatchWriter]:
    w = DatabaseBatchWriter(open_database(pg_url), owns_store=True)
    yield w
    w.close()


def _rows(w: DatabaseBatchWriter, sql: str) -> list[tuple[object, ...]]:
    with w.store.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(sa.text(sql))]


def _record_running(w: DatabaseBatchWriter, client: ClientInfo, run: str) -> None:
    at = client.alive_at
    w.write_batch(
        f"batch-{run}",
        [FlowRun(run, "calm-otter", "etl", created=at)],
        [TaskRun(f"{run}-t", "add-0", "add", flow_run_id=run, created=at)],
        [
            StateChange(run, "flow", "RUNNING", "Running", None, at),
            StateChange(f"{run}-t", "task", "RUNNING", "Running", None, at),
        ],
        [],
        [],
        client,
    )


def test_it_is_a_batch_writer_and_keeps_one_row_per_client(writer: DatabaseBatchWriter) -> None:
    assert isinstance(writer, BatchWriter)
    client = ClientInfo("uuid-a", 4242, "worker-1", 1000.0)
    _record_running(writer, client, "f-1")
    writer.heartbeat(ClientInfo("uuid-a", 4242, "worker-1", 1010.0))
    writer.heartbeat(ClientInfo("uuid-a", 4242, "worker-1", 1005.0))  # late: never backwards
    rows = _rows(writer, "SELECT id, client, pid, hostname, started, last_seen FROM server_clients")
    assert [r[1:] for r in rows] == [("uuid-a", 4242, "worker-1", 1000.0, 1010.0)]
    assert _rows(writer, "SELECT process_id FROM flow_runs") == [(rows[0][0],)]


def test_a_silent_client_s_runs_are_crashed_as_of_its_last_seen_moment(
    writer: DatabaseBatchWriter, pg_url: str
) -> None:
    now = time.time()
    silent = ClientInfo("uuid-silent", 77, "worker-1", now - 100)
    alive = ClientInfo("uuid-alive", 78, "worker-2", now)
    _record_running(writer, silent, "f-silent")
    _record_running(writer, alive, "f-alive")
    assert writer.sweep_silent(30) == 0  # the writer itself has not been up for 30 s
    writer.started -= 60  # as if up for a minute
    assert writer.sweep_silent(30) == 2
    states = _rows(
        writer,
        "SELECT run_id, run_kind, message, timestamp FROM states "
        "WHERE type = 'CRASHED' ORDER BY run_kind",
    )
    message = "Process 77 that ran this {} run exited without reporting a final state"
    assert states == [
        ("f-silent", "flow", message.format("flow"), now - 100),
        ("f-silent-t", "task", message.format("task"), now - 100),
    ]
    runs = _rows(writer, "SELECT id, state_type, end_time FROM flow_runs ORDER BY id")
    assert runs == [("f-alive", "RUNNING", None), ("f-silent", "CRASHED", now - 100)]
    events = _rows(writer, "SELECT event FROM event_rows WHERE event LIKE '%.Crashed'")
    assert sorted(events) == [("headwater.flow-run.Crashed",), ("headwater.task-run.Crashed",)]
    assert [r[0] for r in _rows(writer, "SELECT client FROM server_clients")] == ["uuid-alive"]
    # a second server on the same database finds nothing left to mark
    other = DatabaseBatchWriter(open_database(pg_url), owns_store=True)
    try:
        other.started -= 60
        assert other.sweep_silent(30) == 0
    finally:
        other.close()
    # the client was only cut off: it comes back with a new row, and its records still land
    writer.write_batch(
        "late", [], [], [StateChange("f-silent", "flow", "COMPLETED", "Completed", None, now)],
        [], [], ClientInfo("uuid-silent", 77, "worker-1", now),
    )  # fmt: skip
    assert len(_rows(writer, "SELECT id FROM server_clients")) == 2
    assert _rows(writer, "SELECT state_type FROM flow_runs WHERE id = 'f-silent'") == [
        ("COMPLETED",)
    ]


def test_a_silent_client_s_finished_runs_are_left_alone(writer: DatabaseBatchWriter) -> None:
    client = ClientInfo("uuid-done", 5, "worker-1", time.time() - 100)
    _record_running(writer, client, "f-done")
    writer.write_batch(
        "done", [], [],
        [StateChange("f-done", "flow", "COMPLETED", "Completed", None, client.alive_at),
         StateChange("f-done-t", "task", "COMPLETED", "Completed", None, client.alive_at)],
        [], [], client,
    )  # fmt: skip
    writer.started -= 60
    assert writer.sweep_silent(30) == 0
    assert _rows(writer, "SELECT COUNT(*) FROM states WHERE type = 'CRASHED'") == [(0,)]
    assert _rows(writer, "SELECT COUNT(*) FROM server_clients") == [(0,)]  # claimed all the same
