"""Tasks the Dask tests submit. Pickled by value, so workers need not import this module."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import cloudpickle
from headwater import task

cloudpickle.register_pickle_by_value(sys.modules[__name__])


def mark(directory: str, name: str) -> None:
    """Leave one line per execution, to count how often a task body ran."""
    with open(Path(directory) / name, "a") as f:
        f.write(f"{os.getpid()}\n")


def executions(directory: str, name: str) -> int:
    path = Path(directory) / name
    return len(path.read_text().splitlines()) if path.exists() else 0


@task
def counted(directory: str, name: str, value: int) -> int:
    mark(directory, name)
    return value


@task
def die_mid_task(directory: str) -> None:
    """Kills the worker process running it (SIGKILL), as an out-of-memory kill would."""
    mark(directory, "die")
    time.sleep(0.2)
    os.kill(os.getpid(), signal.SIGKILL)


@task
def plus_one(x: int) -> int:
    return x + 1


@task
def takes(value: Any) -> str:
    return type(value).__name__


@task(cache_key_fn=lambda ctx, params: f"dask-cache-{params['directory']}-{params['x']}")
def cached_square(directory: str, x: int) -> int:
    mark(directory, f"square-{x}")
    return x * x


@task
def inc(x: int) -> int:
    return x + 1


#: the LocalCluster every test uses: 2 worker processes on loopback, no dashboard
CLUSTER_KWARGS: dict[str, Any] = {
    "n_workers": 2,
    "threads_per_worker": 1,
    "processes": True,
    "host": "127.0.0.1",
    "dashboard_address": None,
}
