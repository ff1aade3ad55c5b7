"""Ten processes recording a 1,000-task flow each into one headwater server, and the
per-task cost of recording into a server beside the embedded store.

    python bench/server_load.py [--processes 10] [--tasks 1000] [--cost-tasks 3000]
                                [--database-url postgresql+psycopg://user:pw@host/db]

Starts `headwater server start` on a free 127.0.0.1 port over a fresh home (its history
in the home's embedded store, or with --database-url in that database: it is migrated
and added to, never emptied; only this run's rows are counted), then prints:

* load: seconds until every client's batches were acknowledged and until the server
  had applied them to the run tables, batches (POST /api/records) and records per
  second applied, p50/p99 latency of a probe batch (100 states and logs)
  posted every 50 ms during the load, the server's peak RSS, and whether every task run,
  state and log arrived (and any non-2xx answer to the probe);
* cost: microseconds per tracked task in one process with HEADWATER_API_URL set beside
  the same flow on the embedded store (time of the flow call plus the flush after it),
  and their ratio (target <= 1.5).

Measures and prints only; nothing passes or fails on a number.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
FLOW = HERE.parent / "tests" / "server" / "ingest_flow.py"

COST_SCRIPT = """
import sys, time
from headwater import flow, task
from headwater.history import get_store

@task
def step(i):
    return i

@flow
def many(n):
    for i in range(n):
        step(i)

many(50)  # warm up
get_store().flush()
n = int(sys.argv[1])
t0 = time.perf_counter()
many(n)
t1 = time.perf_counter()
get_store().flush()
t2 = time.perf_counter()
print(f"{(t1 - t0) / n * 1e6:.1f} {(t2 - t0) / n * 1e6:.1f}")
"""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    home: Path, log: Path, database_url: str | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "HEADWATER_HOME": str(home)}
    env.pop("HEADWATER_DATABASE_URL", None)
    if database_url:
        env["HEADWATER_DATABASE_URL"] = database_url
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "headwater", "server", "start", "--port", str(port)],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}/api"
    for _ in range(300):
        try:
            # /api/version answers once the API is built (health answers before that)
            if httpx.get(f"{url}/version", timeout=30).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"server did not start: {log.read_text()[-2000:]}")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def client_env(home: Path, url: str | None) -> dict[str, str]:
    env = {**os.environ, "HEADWATER_HOME": str(home), "HEADWATER_LOGGING_TO_CONSOLE": "false"}
    env.pop("HEADWATER_API_URL", None)
    if url:
        env["HEADWATER_API_URL"] = url
    return env


def probe(url: str, stop: threading.Event, latencies: list[float], bad: list[int]) -> None:
    run_id = f"probe-{uuid.uuid4().hex}"
    client = {"id": uuid.uuid4().hex, "pid": os.getpid(), "hostname": "bench", "alive_at": 0.0}
    with httpx.Client(timeout=60) as http:
        while not stop.wait(0.05):
            now = time.time()
            client["alive_at"] = now
            body = {
                "batch_id": uuid.uuid4().hex,
                "client": client,
                "states": [[run_id, "task", "RUNNING", "Running", None, now]] * 50,
                "logs": [[run_id, "task", 20, "probe", now, "bench", "probe"]] * 50,
            }
            t0 = time.perf_counter()
            answer = http.post(f"{url}/records", json=body)
            latencies.append(time.perf_counter() - t0)
            if answer.status_code >= 300:
                bad.append(answer.status_code)


def query(home: Path, database_url: str | None, sql: str, params: list[str]) -> int:
    """One count from the server's history (`?` placeholders), wherever it is kept."""
    if database_url is None:
        with sqlite3.connect(home / "headwater.db") as db:
            return int(db.execute(sql, params).fetchone()[0])
    import sqlalchemy as sa

    parts = sql.replace("ingested_batches", "applied_batches").split("?")
    named = "".join(p + (f":p{i}" if i < len(parts) - 1 else "") for i, p in enumerate(parts))
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            bound = {f"p{i}": v for i, v in enumerate(params)}
            return int(connection.execute(sa.text(named), bound).scalar_one())
    finally:
        engine.dispose()


def load(processes: int, tasks: int, root: Path, database_url: str | None) -> None:
    home = root / "server-home"
    server, url = start_server(home, root / "server.log", database_url)
    try:
        batches_before = 0
        if database_url is not None:
            with contextlib.suppress(Exception):  # a new database: no table yet
                batches_before = query(home, database_url, _BATCHES, [])
        stop, latencies, bad = threading.Event(), [], []  # type: ignore[var-annotated]
        prober = threading.Thread(target=probe, args=(url, stop, latencies, bad))
        started = time.perf_counter()
        prober.start()
        clients = [
            subprocess.Popen(
                [sys.executable, str(FLOW), str(tasks)],
                env=client_env(root / f"c{i}", url),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )  # fmt: skip
            for i in range(processes)
        ]
        outs = [c.communicate() for c in clients]
        took = time.perf_counter() - started
        stop.set()
        prober.join()
        drained = drain(url) + took
        rss = peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(30)
    failed = [err[-500:] for c, (_, err) in zip(clients, outs) if c.returncode != 0]
    ids = [out.strip() for _, (out, _) in zip(clients, outs) if out.strip()]
    marks = ",".join("?" * len(ids))
    runs = f"(SELECT id FROM task_runs WHERE flow_run_id IN ({marks}))"
    task_runs = query(home, database_url, f"SELECT COUNT(*) FROM task_runs WHERE id IN {runs}", ids)
    states, logs = (
        query(home, database_url,
              f"SELECT COUNT(*) FROM {table} WHERE run_id IN {runs} OR run_id IN ({marks})",
              ids + ids)
        for table in ("states", "logs")
    )  # fmt: skip
    batches = query(home, database_url, _BATCHES, []) - batches_before
    records = task_runs + states + logs
    lat = sorted(latencies)
    p50 = statistics.median(lat) * 1000 if lat else float("nan")
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000 if lat else float("nan")
    where = "embedded store" if database_url is None else "database"
    print(f"load ({where}): {processes} processes x {tasks} tasks in {took:.1f} s "
          f"(every batch acknowledged), applied to the run tables after {drained:.1f} s")  # fmt: skip
    print(f"  task runs {task_runs} (expected {processes * tasks}), states {states}, logs {logs}")
    print(f"  {batches / drained:.0f} batches/s, {records / drained:.0f} records/s applied")
    print(f"  probe batch (100 records) latency: p50 {p50:.1f} ms, p99 {p99:.1f} ms "
          f"over {len(lat)} requests; non-2xx answers: {bad or 'none'}")  # fmt: skip
    print(f"  server peak RSS {rss:.0f} MB; failed clients: {len(failed)}")
    for text in failed:
        print(text)


_BATCHES = "SELECT COUNT(*) FROM ingested_batches"


def drain(url: str) -> float:
    """Seconds until the server has applied every batch it acknowledged (a server on
    PostgreSQL acknowledges a batch once stored as sent: see docs/server.md)."""
    started = time.perf_counter()
    with httpx.Client(timeout=60) as http:
        while True:
            backlog = http.get(f"{url}/records/backlog").json()
            if not backlog["staged"] and not backlog["waited_for"]:
                break
            time.sleep(0.01)
    return time.perf_counter() - started


def cost(tasks: int, root: Path, database_url: str | None) -> None:
    script = root / "cost.py"
    script.write_text(COST_SCRIPT)

    lag: list[float] = []

    def run(url: str | None, home: Path) -> tuple[float, float]:
        out = subprocess.run(
            [sys.executable, str(script), str(tasks)], env=client_env(home, url),
            capture_output=True, text=True, check=True,
        ).stdout.split()  # fmt: skip
        if url is not None:
            lag.append(drain(url))
        return float(out[0]), float(out[1])

    server, url = start_server(root / "cost-server", root / "cost-server.log", database_url)
    try:
        rows = []
        for _ in range(3):
            rows.append((run(None, root / "embedded"), run(url, root / "api-client")))
    finally:
        server.terminate()
        server.wait(30)
    embedded = min(r[0][1] for r in rows)
    api = min(r[1][1] for r in rows)
    print(f"cost per tracked task ({tasks} tasks, best of 3, flow call + flush):")
    print(f"  embedded store {embedded:.1f} us, server client {api:.1f} us, "
          f"ratio {api / embedded:.2f} (target <= 1.5)")  # fmt: skip
    print(f"  without the final flush: embedded {min(r[0][0] for r in rows):.1f} us, "
          f"server client {min(r[1][0] for r in rows):.1f} us")  # fmt: skip
    print(f"  applied to the run tables {min(lag) * 1e6 / tasks:.1f} us per task after the "
          f"client's exit (best of 3; 0 where the server applies before answering)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=10)
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--cost-tasks", type=int, default=3000)
    parser.add_argument(
        "--database-url",
        default=None,
        help="the server keeps its history in this database (HEADWATER_DATABASE_URL), "
        "e.g. postgresql+psycopg://user:pw@host/db; default: its home's embedded store",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hw-server-load-") as tmp:
        load(args.processes, args.tasks, Path(tmp), args.database_url)
        cost(args.cost_tasks, Path(tmp), args.database_url)


if __name__ == "__main__":
    main()
