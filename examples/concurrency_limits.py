"""Concurrency and rate limits, with no server: run it twice, or in several
terminals at once (they share the limits through HEADWATER_HOME).

    python examples/concurrency_limits.py

- a tag limit: at most 2 runs of tasks tagged "warehouse" at once
- a global concurrency limit: at most 1 block writing the report at once
- a rate limit: at most 5 calls per second to an API (slots decay at 5 per second)
"""

from __future__ import annotations

import threading
import time

from headwater import flow, task
from headwater.concurrency import (
    ConcurrencyLimitNotFound,
    create_concurrency_limit,
    create_global_concurrency_limit,
    read_global_concurrency_limit,
)
from headwater.concurrency.sync import concurrency, rate_limit

running = 0
most_running = 0
lock = threading.Lock()


def ensure_limits() -> None:
    """Create the limits once per home (the CLI can do the same:
    `headwater concurrency-limit create warehouse 2`, `headwater gcl create ...`)."""
    create_concurrency_limit("warehouse", 2)  # replaces any limit on the tag
    for name, limit, decay in (("report-writer", 1, 0.0), ("partner-api", 5, 5.0)):
        try:
            read_global_concurrency_limit(name)
        except ConcurrencyLimitNotFound:
            create_global_concurrency_limit(name, limit, slot_decay_per_second=decay)


@task(tags=["warehouse"])
def load_table(name: str) -> int:
    global running, most_running
    with lock:
        running += 1
        most_running = max(most_running, running)
    time.sleep(0.1)  # the query
    with lock:
        running -= 1
    return len(name)


@task
def call_partner_api(i: int) -> int:
    rate_limit("partner-api")  # waits when 5 calls were made in the last second
    return i * i


@task
def write_report(rows: int) -> str:
    with concurrency("report-writer", occupy=1, timeout_seconds=60):
        return f"report with {rows} rows"


@flow(log_prints=True)
def nightly() -> str:
    loaded = load_table.map(["orders", "customers", "items", "returns", "stock", "prices"])
    rows = sum(f.result() for f in loaded)
    squares = [call_partner_api(i) for i in range(8)]
    print(f"partner API answered {len(squares)} calls")
    return write_report(rows)


if __name__ == "__main__":
    ensure_limits()
    start = time.perf_counter()
    report = nightly()
    took = time.perf_counter() - start
    print(f"{report}; at most {most_running} warehouse tasks ran at once; took {took:.1f} s")
