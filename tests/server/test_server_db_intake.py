"""A server on PostgreSQL acknowledges a client batch once stored as sent and applies it
right after (database/intake.py): reads still see every acknowledged batch, a batch the
database refuses is kept and skipped, batches a killed server acknowledged are applied
after a restart, two servers on one database apply in order and once."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from headwater.exceptions import RunStoreError
from headwater.history.records import FlowRun, LogEntry, StateChange, TaskRun
from headwater.history.wire import Client, encode_batch
from ingest_helpers import query
from server_process import headwater_server

STEPS = (("PENDING", "Pending"), ("RUNNING", "Running"), ("COMPLETED", "Completed"))


def _body(flow_id: str, tasks: int, *, step: int | None = None, run_count: int = 1) -> bytes:
    """One client batch: the flow run, `tasks` task runs with their three states and a log
    line each (or, with `step`, only that state of the flow run)."""
    now = time.time()
    if step is not None:
        type_, name = STEPS[step]
        records: list[Any] = [StateChange(flow_id, "flow", type_, name, None, now + step)]
    else:
        records = [FlowRun(flow_id, "intake-run", "intake", created=now)]
        for n in range(tasks):
            task = TaskRun(str(uuid.uuid4()), f"t-{n}", "t", flow_id, str(n), created=now,
                           run_count=run_count)  # fmt: skip
            records.append(task)
            records += [StateChange(task.id, "task", type_, name, None, now + i * 1e-3)
                        for i, (type_, name) in enumerate(STEPS)]  # fmt: skip
            records.append(LogEntry(task.id, "task", 20, f"line {n}", now, "t", "t"))
    body, _, _ = encode_batch(records, Client())
    assert body is not None
    return body


def _post(url: str, body: bytes) -> dict[str, Any]:
    answer = httpx.post(f"{url}/records", content=body, timeout=60,
                        headers={"content-type": "application/json"})  # fmt: skip
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _drained(url: str, timeout: float = 60.0) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while True:
        backlog = httpx.get(f"{url}/records/backlog", timeout=30).json()
        settled = not backlog["staged"] and not backlog["waited_for"]
        if settled or time.monotonic() > deadline:
            return dict(backlog)
        time.sleep(0.05)


def _count(pg_url: str, sql: str, *params: Any) -> int:
    return int(query(pg_url, sql, params)[0][0])


def test_every_acknowledged_batch_is_read_back(tmp_path: Path, pg_url: str) -> None:
    env = {"HEADWATER_DATABASE_URL": pg_url}
    with headwater_server(tmp_path / "home", tmp_path / "logs", env) as (server, _):
        url = f"{server.url}/api"
        flows = [str(uuid.uuid4()) for _ in range(5)]
        for flow_id in flows:
            assert _post(url, _body(flow_id, 200))["applied"] is True
        # read at once, as a CLI run right after the client's exit would: the server's
        # reads wait for what it acknowledged
        for flow_id in flows:
            run = httpx.get(f"{url}/flow_runs/{flow_id}", timeout=60)
            assert run.status_code == 200, run.text
            tasks = httpx.post(f"{url}/task_runs/count", timeout=60,
                               json={"flow_runs": {"id": {"any_": [flow_id]}}}).json()  # fmt: skip
            assert tasks == 200
        assert _drained(url) == {"staged": 0, "failed": 0, "waited_for": 0}
    assert _count(pg_url, "SELECT COUNT(*) FROM task_runs") == 1000
    assert _count(pg_url, "SELECT COUNT(*) FROM states") == 3000
    assert _count(pg_url, "SELECT COUNT(*) FROM event_rows") == 3000
    assert _count(pg_url, "SELECT COUNT(*) FROM applied_batches") == 5


def test_a_batch_the_database_refuses_is_kept_and_skipped(tmp_path: Path, pg_url: str) -> None:
    env = {"HEADWATER_DATABASE_URL": pg_url}
    refused, fine = str(uuid.uuid4()), str(uuid.uuid4())
    with headwater_server(tmp_path / "home", tmp_path / "logs", env) as (server, _):
        url = f"{server.url}/api"
        # valid JSON of the right shape, but a run count no BIGINT column holds
        assert _post(url, _body(refused, 2, run_count=10**30))["applied"] is True
        assert _post(url, _body(fine, 3))["applied"] is True
        assert _drained(url) == {"staged": 0, "failed": 1, "waited_for": 0}
        assert httpx.get(f"{url}/flow_runs/{fine}", timeout=30).status_code == 200
        assert httpx.get(f"{url}/flow_runs/{refused}", timeout=30).status_code == 404
    (reason,) = query(pg_url, "SELECT failed FROM record_intake")[0]
    assert "out of range" in reason.lower(), reason
    assert "pg-sentinel" not in reason  # the database password never in the reason
    log = "".join(p.read_text(errors="replace") for p in (tmp_path / "logs").iterdir())
    assert "could not be applied and is kept in record_intake" in log
    assert "pg-sentinel" not in log


def test_batches_a_killed_server_acknowledged_are_applied_on_restart(
    tmp_path: Path, pg_url: str
) -> None:
    from headwater_server.database.open import open_database
    from headwater_server.database.tables import record_intake

    flow_id = str(uuid.uuid4())
    store = open_database(pg_url)  # migrated; rows as a server leaves them when killed
    try:
        with store.engine.begin() as connection:
            for n, body in enumerate([_body(flow_id, 4), _body(flow_id, 0, step=2)]):
                connection.execute(
                    sa.insert(record_intake).values(
                        batch_id=f"left-{n}", received=time.time(), body=body
                    )  # fmt: skip
                )
    finally:
        store.close()
    env = {"HEADWATER_DATABASE_URL": pg_url}
    with headwater_server(tmp_path / "home", tmp_path / "logs", env) as (server, _):
        # no client posts anything: the server applies them on its own, in order
        assert _drained(f"{server.url}/api") == {"staged": 0, "failed": 0, "waited_for": 0}
    assert _count(pg_url, "SELECT COUNT(*) FROM task_runs WHERE flow_run_id = ?", flow_id) == 4
    state = query(pg_url, "SELECT state_type FROM flow_runs WHERE id = ?", [flow_id])
    assert state == [("COMPLETED",)]


def test_a_resent_batch_is_applied_once(tmp_path: Path, pg_url: str) -> None:
    env = {"HEADWATER_DATABASE_URL": pg_url}
    flow_id = str(uuid.uuid4())
    body = _body(flow_id, 10)
    with headwater_server(tmp_path / "home", tmp_path / "logs", env) as (server, _):
        url = f"{server.url}/api"
        assert _post(url, body)["applied"] is True
        assert _post(url, body)["applied"] is False  # while staged, or just applied
        _drained(url)
        assert _post(url, body)["applied"] is False  # long applied
    assert _count(pg_url, "SELECT COUNT(*) FROM states") == 30
    assert _count(pg_url, "SELECT COUNT(*) FROM record_intake") == 0


def test_two_servers_on_one_database_apply_in_order_and_once(tmp_path: Path, pg_url: str) -> None:
    env = {"HEADWATER_DATABASE_URL": pg_url}
    flow_id = str(uuid.uuid4())
    with (
        headwater_server(tmp_path / "a", tmp_path / "logs-a", env) as (a, _),
        headwater_server(tmp_path / "b", tmp_path / "logs-b", env) as (b, _),
    ):
        urls = [f"{a.url}/api", f"{b.url}/api"]
        _post(urls[0], _body(flow_id, 50))
        # the flow run's states, one batch each, to the two servers in turn (a client
        # sends its next batch only once the last was acknowledged, as here)
        for n in range(30):
            _post(urls[n % 2], _body(flow_id, 0, step=n % 3))
        for url in urls:  # each server stops waiting for what the other applied
            assert _drained(url) == {"staged": 0, "failed": 0, "waited_for": 0}
    assert _count(pg_url, "SELECT COUNT(*) FROM states WHERE run_id = ?", flow_id) == 30
    assert _count(pg_url, "SELECT COUNT(*) FROM applied_batches") == 31
    # the last batch sent (step 29 % 3 == 2: Completed) is the run's state
    assert query(pg_url, "SELECT state_type FROM flow_runs WHERE id = ?", [flow_id]) == [
        ("COMPLETED",)
    ]


def test_a_server_too_far_behind_asks_clients_to_retry(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from headwater_server.database import batch_writer
    from headwater_server.database.open import open_database
    from headwater_server.ingest_routes import decode_records

    writer = batch_writer.DatabaseBatchWriter(
        open_database(pg_url), owns_store=True, decode=decode_records
    )
    flow_id = str(uuid.uuid4())
    try:
        assert writer.staging
        with monkeypatch.context() as patch:
            patch.setattr(batch_writer, "MAX_BACKLOG", 0)
            with pytest.raises(RunStoreError, match="retry shortly") as caught:
                writer.stage("b-1", None, _body(flow_id, 1))
            assert "pg-sentinel" not in str(caught.value)
        assert writer.stage("b-1", None, _body(flow_id, 1))  # the client's retry
        assert writer.wait_applied(30)
        assert writer.store.read_flow_run(flow_id) is not None
    finally:
        writer.close()
