"""Seconds to write one client batch into the server's database (`write_records`).

    python bench/server_batch_write.py --database-url postgresql+psycopg://user:pw@host/db
                                       [--tasks 249] [--logs 500] [--repeat 5]

One batch as a client sends it: a flow run, `--tasks` task runs, three states per run
(~750 with the defaults), `--logs` log lines and 30 events; written `--repeat` times
(new run ids each time) into the database (migrated, added to, never emptied), each
in its own transaction. Prints the best wall and CPU seconds per batch. Measures and
prints only; nothing passes or fails on a number.
"""

from __future__ import annotations

import argparse
import time
import uuid
from typing import Any

from headwater.history import Event, FlowRun, LogEntry, StateChange, TaskRun
from headwater_server.database.open import open_database
from headwater_server.database.writes import write_records

STEPS = (("PENDING", "Pending"), ("RUNNING", "Running"), ("COMPLETED", "Completed"))


def batch(tasks: int, logs: int) -> tuple[list[Any], ...]:
    now, flow_id = time.time(), str(uuid.uuid4())
    flows = [FlowRun(flow_id, "bench-run", "bench", tags=("a", "b"), created=now)]
    task_runs = [TaskRun(str(uuid.uuid4()), f"t-{n}", "t", flow_id, str(n), tags=("x",),
                         created=now) for n in range(tasks)]  # fmt: skip
    runs = [(flows[0].id, "flow")] + [(t.id, "task") for t in task_runs]
    states = [StateChange(run_id, kind, type_, name, "ok" if type_ == "COMPLETED" else None,
                          now + n * 0.001)
              for run_id, kind in runs for n, (type_, name) in enumerate(STEPS)]  # fmt: skip
    lines = [LogEntry(task_runs[n % tasks].id, "task", 20, f"line {n}", now + n * 1e-4,
                      "headwater.task_runs", "t") for n in range(logs)]  # fmt: skip
    events = [Event(str(uuid.uuid4()), "bench.event", now, {"headwater.resource.id": "b"},
                    {"n": n}) for n in range(30)]  # fmt: skip
    return flows, task_runs, states, lines, events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--tasks", type=int, default=249)
    parser.add_argument("--logs", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    store = open_database(args.database_url)
    wall, cpu = [], []
    try:
        for n in range(args.repeat + 1):  # the first warms caches and is not counted
            records = batch(args.tasks, args.logs)
            with store.engine.begin() as connection:
                start, start_cpu = time.perf_counter(), time.process_time()
                write_records(connection, *records)
                if n:
                    wall.append(time.perf_counter() - start)
                    cpu.append(time.process_time() - start_cpu)
    finally:
        store.close()
    print(f"{len(records[2])} states, {len(records[3])} logs per batch; best of {args.repeat}: "
          f"{min(wall):.4f} s wall, {min(cpu):.4f} s CPU")  # fmt: skip


if __name__ == "__main__":
    main()
