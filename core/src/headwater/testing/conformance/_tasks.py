"""Tasks the task runner conformance suite submits.

They live at module level in an importable module so that runners which run
tasks in other processes or machines (process pools, Dask, Ray) can pickle them
by reference. State that must cross processes (retry counters, hook markers,
ordering) goes through files.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from headwater import task


@task
def add(x: int, y: int) -> int:
    return x + y


@task
def double(x: int) -> int:
    return 2 * x


@task
def total(values: list[int]) -> int:
    return sum(values)


@task
def fail(message: str) -> None:
    raise ValueError(message)


@task
def type_name(value: Any) -> str:
    """Under `allow_failure`, receives the upstream's exception."""
    return type(value).__name__


@task
def slow_value(value: Any, delay: float) -> Any:
    time.sleep(delay)
    return value


@task
def append_line(path: str, line: str, delay: float = 0.0) -> str:
    time.sleep(delay)
    with open(path, "a") as f:
        f.write(line + "\n")
    return line


def _bump(path: str) -> int:
    counter = Path(path)
    count = int(counter.read_text() or 0) + 1 if counter.exists() else 1
    counter.write_text(str(count))
    return count


@task(retries=2)
def flaky(path: str) -> int:
    """Fails on its first two attempts, succeeds on the third."""
    count = _bump(path)
    if count < 3:
        raise RuntimeError(f"attempt {count} fails")
    return count


@task(timeout_seconds=0.5)
def sleepy(seconds: float) -> str:
    """Sleeps in short steps, so a timeout can interrupt it between them."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.02)
    return "woke up"


@task(log_prints=True)
def say(message: str) -> str:
    print(message)
    return message


def hook_marker(task_run_id: str) -> Path:
    """Where `record_completion` leaves its mark for one task run."""
    return Path(tempfile.gettempdir()) / f"headwater-conformance-hook-{task_run_id}"


def record_completion(task: Any, task_run: Any, state: Any) -> None:
    hook_marker(task_run.id).write_text(f"{state.name} {os.getpid()}")


@task(on_completion=[record_completion])
def hooked(x: int) -> int:
    return x
