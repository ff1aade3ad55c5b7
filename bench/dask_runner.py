"""Benchmark (row i): DaskTaskRunner beside plain `distributed`, on a warm and a temporary cluster.

    python bench/dask_runner.py [--reps N] [--n TASKS]     # the table
    python bench/dask_runner.py one warm|temporary|temporary-floor N   # one fresh process

Each sample is a fresh process with an empty HEADWATER_HOME (bench/run.py's
conventions: its `Row`, `Home` and `render` are reused, so the columns match
its table). Warm: one LocalCluster (2 worker processes, 1 thread each, on
loopback) started and warmed first; per task = (flow of N tasks - empty flow,
both on `DaskTaskRunner(address=...)`) / N, against `Client.submit` + `gather`
of N tasks / N. Temporary: the whole flow with `DaskTaskRunner()` starting its
own cluster, against starting a LocalCluster, submit + gather, close; both / N.
Also checks that 1,000 mapped runs are all recorded.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CLUSTER = {
    "n_workers": 2,
    "threads_per_worker": 1,
    "processes": True,
    "host": "127.0.0.1",
    "dashboard_address": None,
}
perf = time.perf_counter


def inc(x: int) -> int:
    return x + 1


def warm(n: int) -> dict[str, Any]:
    """Both sides on one warmed cluster, alternating; medians of 3 rounds in this process."""
    import statistics

    import distributed
    from headwater import flow, task
    from headwater_dask import DaskTaskRunner

    tinc = task(inc)
    with distributed.LocalCluster(**CLUSTER) as cluster:
        address = cluster.scheduler_address

        @flow(task_runner=DaskTaskRunner(address=address))
        def tasks(n: int) -> int:
            return len(tinc.map(range(n)).result())

        with distributed.Client(address, set_as_default=False) as client:
            client.gather([client.submit(inc, i, pure=False) for i in range(50)])
            tasks(50)  # warm both paths: imports, worker caches
            hw, floor = [], []
            for _ in range(3):
                t0 = perf()
                client.gather([client.submit(inc, i, pure=False) for i in range(n)])
                floor.append((perf() - t0) / n)
                t0 = perf()
                tasks(0)
                empty = perf() - t0
                t0 = perf()
                tasks(n)
                hw.append((perf() - t0 - empty) / n)
    return {"headwater": statistics.median(hw), "floor": statistics.median(floor)}


def temporary(n: int) -> dict[str, Any]:
    import distributed  # noqa: F401  (imported before timing, as in the floor)
    from headwater import flow, task
    from headwater_dask import DaskTaskRunner

    tinc = task(inc)

    @flow(task_runner=DaskTaskRunner(cluster_kwargs=CLUSTER))
    def tasks(n: int) -> int:
        return len(tinc.map(range(n)).result())

    t0 = perf()
    tasks(n)
    return {"value": (perf() - t0) / n}


def temporary_floor(n: int) -> dict[str, Any]:
    import distributed

    t0 = perf()
    with distributed.LocalCluster(**CLUSTER) as cluster, distributed.Client(cluster) as client:
        started = perf() - t0
        client.gather([client.submit(inc, i, pure=False) for i in range(n)])
    return {"value": (perf() - t0) / n, "startup": started}


def recorded(n: int) -> dict[str, Any]:
    from headwater import flow, task
    from headwater.history import get_store
    from headwater_dask import DaskTaskRunner

    tinc = task(inc)

    @flow(task_runner=DaskTaskRunner(cluster_kwargs=CLUSTER))
    def tasks(n: int) -> int:
        return len(tinc.map(range(n)).result())

    tasks(n)
    store = get_store()
    store.flush()
    return {"value": store.count_task_runs()}


ONE = {
    "warm": warm,
    "temporary": temporary,
    "temporary-floor": temporary_floor,
    "recorded": recorded,
}


def _env(env: dict[str, str]) -> dict[str, str]:
    return {"DASK_TEMPORARY_DIRECTORY": env["HEADWATER_HOME"]}


def run_one(name: str, n: int) -> dict[str, Any]:
    """Run workload `name` in a fresh process with an empty HEADWATER_HOME."""
    from distributed_bench import one

    return one(Path(__file__), name, n, _env)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    from distributed_bench import Labels, main

    LABELS = Labels(
        warm="i. DaskTaskRunner(address=...), warm cluster, per task",
        temporary="i. DaskTaskRunner(), temporary cluster, wall / N",
        recorded="i. DaskTaskRunner, 1,000 mapped runs recorded",
        prefect_warm="105 ms (36x)",
        prefect_temporary="174 ms (30x)",
    )
    raise SystemExit(main(__doc__ or "", ONE, run_one, LABELS))
