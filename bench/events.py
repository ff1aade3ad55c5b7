"""Cost of `emit_event` on the calling thread, beside a bare function call.

    python bench/events.py [--n N] [--rounds R]

Standalone (not a workload of bench/run.py): it runs in this process with a
fresh, temporary HEADWATER_HOME and prints microseconds per call (median of
the rounds) and the ratio to a bare Python function call with the same
arguments:

* floor: a plain function taking the same arguments, doing nothing
* headwater: `emit_event` outside any run (recorded into the run store)
* headwater: `emit_event` inside a tracked task (the run attached as related)

Then it flushes and counts the stored events: every one is recorded, none dropped.
The store's writer thread encodes and commits on the side, sharing the
interpreter lock (and, on a busy machine, the CPU), so its work shows up in the
wall figures as it would in a flow; the CPU figure is the calling thread's own.
Measures and prints only; nothing passes or fails on a number.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

RESOURCE = {"prefect.resource.id": "warehouse.orders", "prefect.resource.name": "orders"}
PAYLOAD = {"rows": 1200}


def _floor(event: str, resource: dict[str, str], payload: dict[str, Any] | None = None) -> None:
    return None


def _per_call(call: Callable[[], object], n: int, rounds: int) -> tuple[float, float]:
    """(wall, this thread's CPU) microseconds per call, medians of the rounds."""
    wall, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.thread_time()
        for _ in range(n):
            call()
        cpu.append((time.thread_time() - start_cpu) / n * 1e6)
        wall.append((time.perf_counter() - start) / n * 1e6)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="calls per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="hw-bench-events-")
    os.environ["HEADWATER_HOME"] = home
    os.environ.setdefault("HEADWATER_LOGGING_LEVEL", "WARNING")

    from headwater import flow, task
    from headwater.events import emit_event
    from headwater.history import get_store

    store = get_store()  # opened before timing, as in any process that has run a flow
    emit_event("bench.warmup", resource=RESOURCE)

    floor = _per_call(lambda: _floor("data.loaded", RESOURCE, PAYLOAD), args.n, args.rounds)
    outside = _per_call(
        lambda: emit_event("data.loaded", resource=RESOURCE, payload=PAYLOAD), args.n, args.rounds
    )

    @task
    def in_task(n: int) -> tuple[float, float]:
        return _per_call(
            lambda: emit_event("data.loaded", resource=RESOURCE, payload=PAYLOAD), n, args.rounds
        )

    @flow
    def bench_flow(n: int) -> tuple[float, float]:
        return in_task(n)

    inside = bench_flow(args.n)
    store.flush()
    expected = 1 + 2 * args.n * args.rounds
    stored = sum(1 for e in store.read_events(limit=None) if e["event"] != "bench.warmup") + 1
    # the flow and its task add their state-change events: count only ours
    ours = sum(
        1 for e in store.read_events(limit=None) if e["event"] in ("data.loaded", "bench.warmup")
    )

    rows = [
        ("floor: bare function call", floor),
        ("emit_event, outside a run", outside),
        ("emit_event, inside a task", inside),
    ]
    print(
        f"emit_event cost, {args.n:,} calls x {args.rounds} rounds (median), "
        f"Python {sys.version.split()[0]}: wall time, and this thread's CPU time"
    )
    for label, (wall, cpu) in rows:
        ratio = f"{wall / floor[0]:7.1f}x" if label.startswith("emit") else " " * 8
        print(f"  {label:<28} {wall:7.2f} µs {ratio}   cpu {cpu:6.2f} µs")
    print(
        f"  stored: {ours:,} of {expected:,} emitted events "
        f"({stored - ours:,} state-change events besides)"
    )


if __name__ == "__main__":
    main()
