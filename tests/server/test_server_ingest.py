"""Clients with HEADWATER_API_URL set record into a real `headwater server start`: every
record arrives once, through a wrong key, a server killed and restarted mid-run, and a
server that was down for the whole run."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
from hw_services import free_port
from ingest_helpers import Backend, client_env, counts, query, run_flow, start_flow
from server_process import headwater_server

N = 40


def test_a_flow_run_in_another_process_arrives_whole(
    tmp_path: Path, ingest_backend: Backend
) -> None:
    embedded_id, _ = run_flow(tmp_path / "embedded", None, N)
    expected = counts(tmp_path / "embedded", embedded_id)
    assert expected["task_runs"] == N and expected["states"] >= 3 * N and expected["logs"] >= N
    home = ingest_backend.home
    with headwater_server(home, tmp_path / "logs", ingest_backend.env()) as (server, _):
        url = f"{server.url}/api"
        flow_run_id, _ = run_flow(tmp_path / "client", url, N)
        # states, logs and events: all, once
        assert counts(ingest_backend.where, flow_run_id) == expected
        run = httpx.get(f"{url}/flow_runs/{flow_run_id}", timeout=30).json()
        assert run["flow_name"] == "ingest" and run["state"]["type"] == "COMPLETED"
        tasks = httpx.post(f"{url}/task_runs/count", json={}, timeout=30).json()
        assert tasks == N
        logs = httpx.post(
            f"{url}/logs/filter",
            json={"logs": {"flow_run_id": {"any_": [flow_run_id]}}, "limit": 200},
            timeout=30,
        ).json()
        assert {"step 0", f"step {N - 1}"} <= {line["message"] for line in logs}
        env = client_env(tmp_path / "client", url)
        shown = subprocess.run(
            [sys.executable, "-m", "headwater", "flow-run", "inspect", flow_run_id],
            env={**env, "COLUMNS": "200"}, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert shown.returncode == 0, shown.stderr
        assert flow_run_id in shown.stdout and "Completed" in shown.stdout, shown.stdout
    if ingest_backend.database_url:  # the server's home got no run history
        assert _runs_in_home(home) == 0
    assert _runs_in_home(tmp_path / "client") == 0  # the client's own home got no run history


def _runs_in_home(home: Path) -> int:
    """Flow runs in a home's embedded store (it may hold other local features' tables)."""
    if not (home / "headwater.db").exists():
        return 0
    with sqlite3.connect(home / "headwater.db") as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
        if "flow_runs" not in tables:
            return 0
        return int(db.execute("SELECT COUNT(*) FROM flow_runs").fetchone()[0])


def test_a_wrong_api_key_is_said_and_nothing_is_lost(tmp_path: Path) -> None:
    home, client = tmp_path / "server-home", tmp_path / "client"
    env = {"HEADWATER_SERVER_API_KEY": "right-key-5c1d"}
    with headwater_server(home, tmp_path / "logs", env) as (server, _):
        url = f"{server.url}/api"
        flow_run_id, err = run_flow(client, url, N, key="wrong-key-a9e0")
        assert "refused the run records (HTTP 401" in err and "HEADWATER_API_KEY" in err
        assert err.count("refused the run records") == 1  # said once
        assert "wrong-key-a9e0" not in err and "right-key-5c1d" not in err
        spilled = list((client / "api-spill").iterdir())
        assert spilled, err
        assert not (home / "headwater.db").exists()  # nothing got in
        # the next process with the right key sends what waited
        second_id, _ = run_flow(client, url, 3, key="right-key-5c1d")
        assert counts(home, flow_run_id)["completed"] == N
        assert counts(home, second_id)["completed"] == 3
        assert list((client / "api-spill").iterdir()) == []


def test_server_killed_and_restarted_mid_run_loses_nothing(
    tmp_path: Path, ingest_backend: Backend
) -> None:
    home, port, env = ingest_backend.home, free_port(), ingest_backend.env()
    with headwater_server(home, tmp_path / "logs-1", env, port=port) as (server, _):
        url = f"{server.url}/api"
        client = start_flow(tmp_path / "client", url, N, pause=0.1)  # about 4 s of work
        time.sleep(1.5)
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(10)
    time.sleep(1.5)  # the client goes on recording while nobody listens
    with headwater_server(home, tmp_path / "logs-2", env, port=port) as (server, _):
        out, err = client.communicate(timeout=120)
        assert client.returncode == 0, err[-3000:]
        assert "unreachable" in err and err.count("unreachable") <= 2, err
        found = counts(ingest_backend.where, out.strip())
    assert found["task_runs"] == found["completed"] == N
    assert found["states"] == found["distinct_states"] >= 3 * N  # every one, none twice
    assert found["logs"] >= N


def test_server_down_for_the_whole_run_then_the_next_process_sends(tmp_path: Path) -> None:
    home, client, port = tmp_path / "server-home", tmp_path / "client", free_port()
    url = f"http://127.0.0.1:{port}/api"
    first_id, err = run_flow(client, url, N)
    assert "unreachable" in err and "were saved to" in err, err
    assert list((client / "api-spill").iterdir())
    with headwater_server(home, tmp_path / "logs", port=port):
        second_id, _ = run_flow(client, url, 2)
    assert counts(home, first_id)["completed"] == N
    assert counts(home, first_id)["states"] == counts(home, first_id)["distinct_states"]
    assert counts(home, second_id)["completed"] == 2
    assert list((client / "api-spill").iterdir()) == []


def test_a_spilled_batch_over_the_size_limit_is_sent_split(tmp_path: Path) -> None:
    # spilled while the server was down, then a server whose limit (3,000 bytes) most
    # of the spilled batches are over: the next process sends them split, each once
    home, client, port = tmp_path / "server-home", tmp_path / "client", free_port()
    url = f"http://127.0.0.1:{port}/api"
    first_id, err = run_flow(client, url, N)
    assert "were saved to" in err, err
    env = {"HEADWATER_SERVER_MAX_BATCH_BYTES": "3000"}
    with headwater_server(home, tmp_path / "logs", env, port=port):
        _, err = run_flow(client, url, 2)
        assert "refused" not in err and "saved to" not in err, err
    found = counts(home, first_id)
    assert found["completed"] == N and found["states"] == found["distinct_states"]
    assert list((client / "api-spill").iterdir()) == []


def test_a_batch_split_again_gets_the_same_ids() -> None:
    from headwater.history.wire import split_batch

    body = json.dumps(_batch("b" * 32, "r1") | {"logs": [["r1", "flow", 20, "x", 1.0, "", ""]] * 4})
    once, again = split_batch(body.encode()), split_batch(body.encode())
    assert once == again and once is not None
    ids = [json.loads(half)["batch_id"] for half, _ in once]
    assert ids == ["b" * 32 + ".1", "b" * 32 + ".2"]


def _batch(batch_id: str, run_id: str) -> dict[str, object]:
    now = time.time()
    return {
        "batch_id": batch_id,
        "client": {"id": uuid.uuid4().hex, "pid": 1, "hostname": "elsewhere", "alive_at": now},
        "flow_runs": [{"id": run_id, "name": "by-hand", "flow_name": "manual", "created": now}],
        "states": [[run_id, "flow", "COMPLETED", "Completed", None, now]],
        "logs": [[run_id, "flow", 20, "hello", now, "test", "by-hand"]],
    }


def test_a_resent_batch_is_applied_once_and_bad_ones_are_named(
    tmp_path: Path, ingest_backend: Backend
) -> None:
    home, where = ingest_backend.home, ingest_backend.where
    with headwater_server(home, tmp_path / "logs", ingest_backend.env()) as (server, _):
        with httpx.Client(base_url=f"{server.url}/api", timeout=30) as api:
            body = _batch("batch-1", "run-1")
            first = api.post("/records", json=body)
            assert first.status_code == 200 and first.json()["applied"] is True
            again = api.post("/records", json=body)
            assert again.status_code == 200 and again.json()["applied"] is False
            found = counts(where, "run-1")
            assert (found["states"], found["logs"]) == (1, 1)
            assert api.get("/flow_runs/run-1").json()["state"]["type"] == "COMPLETED"

            bad = _batch("batch-2", "run-2")
            bad["states"] = [["run-2", "flow", "COMPLETED", "Completed", None, "soon"]]
            answer = api.post("/records", json=bad)
            assert answer.status_code == 422
            assert "states[0].timestamp" in answer.json()["detail"], answer.text
            nameless = _batch("batch-3", "run-3")
            del nameless["flow_runs"][0]["flow_name"]  # type: ignore[index]
            answer = api.post("/records", json=nameless)
            assert answer.status_code == 422 and "flow_runs[0].flow_name" in answer.text
            answer = api.post("/records", content=b"{nope")
            assert answer.status_code == 422 and "not valid JSON" in answer.text
            huge = _batch("batch-4", "run-4")
            huge["logs"] = [["run-4", "flow", 20, "x" * 1000, 1.0, "t", "r"]] * 40_000
            answer = api.post("/records", content=json.dumps(huge))
            assert answer.status_code == 413 and "fewer records per batch" in answer.text
            assert counts(where, "run-2")["states"] == 0


def test_a_silent_client_s_runs_are_marked_crashed(tmp_path: Path, ingest_backend: Backend) -> None:
    where = ingest_backend.where
    env = ingest_backend.env(HEADWATER_SERVER_CLIENT_TIMEOUT="3")
    with headwater_server(ingest_backend.home, tmp_path / "logs", env) as (server, _):
        url = f"{server.url}/api"
        client = start_flow(tmp_path / "client", url, 100, pause=0.2)
        assert client.stdout is not None
        flow_run_id = client.stdout.readline().strip()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # until the server has the run as Running
            seen = httpx.get(f"{url}/flow_runs/{flow_run_id}", timeout=30)
            if (
                seen.status_code == 200
                and (seen.json().get("state") or {}).get("type") == "RUNNING"
            ):
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the client's run never reached the server as Running")
        time.sleep(0.5)
        killed_at = time.time()
        client.kill()
        client.communicate(timeout=30)
        deadline = time.monotonic() + 60
        state = None
        while time.monotonic() < deadline:
            state = httpx.get(f"{url}/flow_runs/{flow_run_id}", timeout=30).json().get("state")
            if state and state["type"] == "CRASHED":
                break
            time.sleep(0.5)
        assert state is not None and state["type"] == "CRASHED", state
        marked_at = time.time()
    message = f"Process {client.pid} that ran this flow run exited without reporting a final state"
    rows = query(where, "SELECT message, timestamp FROM states WHERE run_id = ? AND type = ?",
                 [flow_run_id, "CRASHED"])  # fmt: skip
    assert len(rows) == 1 and rows[0][0] == message, rows
    # as of the moment it was last seen alive (its last batch), not when the server noticed
    assert killed_at - 3 < rows[0][1] <= killed_at and rows[0][1] < marked_at - 3
    # a task run left running is Crashed too (if its record got in), each with its event
    crashed_tasks = query(
        where,
        "SELECT id FROM task_runs WHERE flow_run_id = ? AND state_type = 'CRASHED'",
        [flow_run_id],
    )
    assert len(crashed_tasks) <= 1
    events = "events" if ingest_backend.database_url is None else "event_rows"
    names = query(where, f"SELECT event, resource_json FROM {events} WHERE event LIKE ?",
                  ["%.Crashed"])  # fmt: skip
    crashed_ids = {json.loads(r)["headwater.resource.id"].split(".", 2)[-1] for _, r in names}
    assert {flow_run_id, *(task_id for (task_id,) in crashed_tasks)} <= crashed_ids


def test_a_live_idle_client_is_not_taken_for_a_silent_one(
    tmp_path: Path, ingest_backend: Backend
) -> None:
    # one task sleeps 8 s, longer than the server's client timeout: the heartbeats the
    # server asks for (a fifth of its timeout) keep the run from being marked Crashed
    env = ingest_backend.env(HEADWATER_SERVER_CLIENT_TIMEOUT="4")
    with headwater_server(ingest_backend.home, tmp_path / "logs", env) as (server, _):
        client = start_flow(tmp_path / "client", f"{server.url}/api", 1, pause=8.0)
        out, err = client.communicate(timeout=120)
        assert client.returncode == 0, err[-3000:]
        found = counts(ingest_backend.where, out.strip())
    assert found["completed"] == 1
    crashed = query(ingest_backend.where, "SELECT COUNT(*) FROM states WHERE type = 'CRASHED'")
    assert crashed == [(0,)]


def test_the_server_url_can_come_from_the_active_profile(tmp_path: Path) -> None:
    home, client = tmp_path / "server-home", tmp_path / "client"
    with headwater_server(home, tmp_path / "logs") as (server, _):
        env = client_env(client, None)
        for argv in (
            ["profile", "create", "team"],
            ["profile", "use", "team"],
            ["config", "set", f"HEADWATER_API_URL={server.url}/api"],
        ):
            done = subprocess.run(
                [sys.executable, "-m", "headwater", *argv], env=env, capture_output=True, text=True
            )
            assert done.returncode == 0, done.stderr
        flow_run_id, _ = run_flow(client, None, 3)
        assert counts(home, flow_run_id)["completed"] == 3


def test_a_batch_over_the_server_s_size_limit_is_split_not_refused(tmp_path: Path) -> None:
    # 3,000 bytes hold a dozen records: most batches of a 40-task flow are larger (413)
    home = tmp_path / "server-home"
    env = {"HEADWATER_SERVER_MAX_BATCH_BYTES": "3000"}
    with headwater_server(home, tmp_path / "logs", env) as (server, _):
        flow_run_id, err = run_flow(tmp_path / "client", f"{server.url}/api", N)
        assert "refused" not in err and "saved to" not in err, err
        found = counts(home, flow_run_id)
    assert found["completed"] == N and found["logs"] >= N
    assert found["states"] == found["distinct_states"]
