"""Cost of a concurrency slot, and fairness of 8 processes contending for 2 slots.

    python bench/concurrency.py [--n N] [--rounds R] [--procs P] [--seconds S]

Standalone (not a workload of bench/run.py), with a fresh temporary HEADWATER_HOME:

1. acquire + release of an uncontended slot, `with concurrency("bench"): pass`,
   microseconds per block (median of the rounds), beside two floors:
   * a plain `threading.Semaphore` acquire + release (one process only)
   * raw SQLite: the least a cross-process slot costs on a WAL database like the
     home's: one BEGIN IMMEDIATE transaction inserting a row, one deleting it
2. P processes (default 8) contending for a limit of 2 slots for S seconds, each
   holding a slot 5 ms at a time, back to back: the most holders sampled in the
   store, the most overlapping holds the processes recorded (both must be <= 2),
   and each process's acquisitions (none starves: waiters are served in order).

Measures and prints only; nothing passes or fails on a number (the test
tests/core/concurrency/test_limits_across_processes.py checks the behaviour).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

HOLD = 0.005
#: the contending process the cross-process test runs too
CONTENTION = (
    Path(__file__).resolve().parents[1] / "tests/core/concurrency/concurrency_contention.py"
)
sys.path.insert(0, str(CONTENTION.parent))
from concurrency_contention import max_overlap  # noqa: E402


def _per_call(call: Callable[[], object], n: int, rounds: int) -> float:
    """Microseconds per call, median of the rounds."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(n):
            call()
        times.append((time.perf_counter() - start) / n * 1e6)
    return statistics.median(times)


def _sqlite_floor(directory: str, n: int, rounds: int) -> float:
    conn = sqlite3.connect(os.path.join(directory, "floor.db"), isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("CREATE TABLE leases (lease_id TEXT PRIMARY KEY, name TEXT, expires REAL)")

    def take_and_give_back() -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO leases VALUES (?, 'bench', ?)", (os.urandom(12).hex(), 0.0))
        conn.execute("COMMIT")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DELETE FROM leases")
        conn.execute("COMMIT")

    try:
        return _per_call(take_and_give_back, n, rounds)
    finally:
        conn.close()


def _contention(home: str, procs: int, seconds: float) -> None:
    from headwater.concurrency import create_global_concurrency_limit
    from headwater.concurrency.storage import get_store

    create_global_concurrency_limit("pool", limit=2)
    store = get_store()
    outs = [os.path.join(home, f"worker{i}.txt") for i in range(procs)]
    workers = [
        subprocess.Popen(
            [sys.executable, str(CONTENTION), "pool", "0", str(HOLD), out, str(seconds)]
        )
        for out in outs
    ]
    samples: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            limit = store.read("pool")
            if limit is not None:
                samples.append(limit["active_slots"])
            time.sleep(0.002)

    sampler = threading.Thread(target=sample)
    sampler.start()
    for worker in workers:
        worker.wait()
    done.set()
    sampler.join()
    per_process = []
    spans: list[tuple[float, float]] = []
    for out in outs:
        with open(out) as f:
            mine = [(float(a), float(b)) for a, b in (line.split() for line in f)]
        per_process.append(len(mine))
        spans += mine
    print(
        f"{procs} processes x {seconds:g} s contending for 2 slots, holding {HOLD * 1000:g} ms "
        "each time:"
    )
    print(f"  most holders sampled in the store: {max(samples):g} ({len(samples):,} samples)")
    print(f"  most overlapping holds recorded:   {max_overlap(spans)}")
    print(f"  acquisitions per process: {per_process} (total {sum(per_process):,})")
    print(f"  fewest / most: {min(per_process)} / {max(per_process)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2_000, help="blocks per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--procs", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="hw-bench-concurrency-")
    os.environ["HEADWATER_HOME"] = home
    os.environ.setdefault("HEADWATER_LOGGING_LEVEL", "WARNING")

    from headwater.concurrency import create_global_concurrency_limit
    from headwater.concurrency.sync import concurrency

    create_global_concurrency_limit("bench", limit=1)

    def block() -> None:
        with concurrency("bench"):
            pass

    block()  # the first opens the database
    semaphore = threading.Semaphore(1)

    def semaphore_block() -> None:
        with semaphore:
            pass

    sem = _per_call(semaphore_block, args.n * 10, args.rounds)
    raw = _sqlite_floor(home, args.n, args.rounds)
    ours = _per_call(block, args.n, args.rounds)
    print(
        f"uncontended acquire + release, {args.n:,} x {args.rounds} rounds (median), "
        f"Python {sys.version.split()[0]}:"
    )
    print(f"  floor: threading.Semaphore (one process)        {sem:8.2f} µs")
    print(f"  floor: raw SQLite, 2 write transactions (WAL)   {raw:8.2f} µs")
    print(
        f"  headwater: with concurrency(...)                {ours:8.2f} µs  {ours / raw:5.2f}x raw"
    )
    _contention(home, args.procs, args.seconds)


if __name__ == "__main__":
    main()
