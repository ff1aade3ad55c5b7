"""Paging through many task runs on a headwater server: cursor vs offset, ms per page.

    python bench/task_run_pages.py [--n 200000] [--limit 200] [--rounds 5]

Standalone: builds a temporary home holding N completed task runs (rows inserted
straight into the embedded store with sqlite3, in one transaction: seconds for
hundreds of thousands), starts `headwater server start` on it on a free port, and
times over HTTP (median of the rounds, milliseconds):

* `POST /api/task_runs/paginate` with `cursor`: the first page, and the page after
  walking `--deep` pages (keyset on the time-ordered run id: every page costs the same)
* the same depth by `page` number (offset paging, as Prefect pages)

Measures and prints only; nothing passes or fails on a number.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

TASKS_PER_FLOW_RUN = 1000


def build_home(home: Path, n: int) -> list[str]:
    """A home with `n` completed task runs in n/1000 flow runs; their ids, newest first."""
    from headwater.history.ids import new_run_id
    from headwater.history.sqlite import SQLiteRunStore

    SQLiteRunStore(home).close()  # the schema, as a real home has it
    now = time.time() - n / 1000
    flow_runs, task_runs = [], []
    for i in range(n):
        if i % TASKS_PER_FLOW_RUN == 0:
            flow_id = new_run_id()
            flow_runs.append((flow_id, f"run-{i}", "many", now + i / 1000))
        start = now + i / 1000
        task_runs.append((new_run_id(), f"add-{i}", "add-1", flow_id, str(i), start, start,
                          start + 0.0005, start + 0.0005))  # fmt: skip
    with contextlib.closing(sqlite3.connect(home / "headwater.db")) as conn, conn:
        conn.executemany(
            "INSERT INTO flow_runs (id, name, flow_name, created, state_type, state_name, "
            "run_count, tags_json, parameters_json) "
            "VALUES (?, ?, ?, ?, 'COMPLETED', 'Completed', 1, '[]', '{}')",
            flow_runs,
        )
        conn.executemany(
            "INSERT INTO task_runs (id, name, task_key, flow_run_id, dynamic_key, created, "
            "start_time, end_time, state_timestamp, state_type, state_name, run_count, tags_json, "
            "task_inputs_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'COMPLETED', 'Completed', 1, "
            "'[]', '{}')",
            task_runs,
        )
    return sorted((t[0] for t in task_runs), reverse=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def server(home: Path) -> Iterator[str]:
    """`headwater server start` over `home`; yields its base URL."""
    import httpx

    port = _free_port()
    env = {**os.environ, "HEADWATER_HOME": str(home), "HEADWATER_SERVER_API_KEY": ""}
    argv = [sys.executable, "-m", "headwater", "server", "start", "--port", str(port)]
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.post(f"{url}/api/flows/filter", json={"limit": 1}).status_code == 200:
                    break
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(30)


def _timed(client: Any, body: dict[str, Any], rounds: int) -> tuple[float, dict[str, Any]]:
    times, answer = [], {}
    for _ in range(rounds):
        started = time.perf_counter()
        answer = client.post("/api/task_runs/paginate", json=body).json()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--deep", type=int, default=500, help="pages to walk before timing")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    import httpx

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        build_home(Path(tmp), args.n)
        print(f"built {args.n} task runs in {time.perf_counter() - started:.1f} s")
        with server(Path(tmp)) as url, httpx.Client(base_url=url, timeout=120) as client:
            first, answer = _timed(client, {"limit": args.limit}, args.rounds)
            walked = 1
            while walked < args.deep and answer["next_cursor"]:
                answer = client.post("/api/task_runs/paginate",
                                     json={"limit": args.limit, "cursor": answer["next_cursor"]}
                                     ).json()  # fmt: skip
                walked += 1
            body = {"limit": args.limit, "cursor": answer["next_cursor"]}
            deep, _ = _timed(client, body, args.rounds)
            by_page, _ = _timed(
                client, {"limit": args.limit, "page": walked + 1, "sort": "ID_DESC"}, 1
            )
        figures = {
            "task_runs": args.n,
            "limit": args.limit,
            "cursor_first_page_ms": first,
            f"cursor_page_{walked + 1}_ms": deep,
            f"offset_page_{walked + 1}_ms": by_page,
        }
        print(json.dumps({k: round(v, 1) if isinstance(v, float) else v
                          for k, v in figures.items()}, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
