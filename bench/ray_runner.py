"""Benchmark (row i, Ray): RayTaskRunner beside plain `ray.remote`, on a warm and a fresh Ray.

    python bench/ray_runner.py [--reps N] [--n TASKS]     # the table
    python bench/ray_runner.py one warm|temporary|temporary-floor N   # one fresh process

Each sample is a fresh process with an empty HEADWATER_HOME (bench/run.py's
conventions: its `Row`, `Home` and `render` are reused, so the columns match
its table). Warm: `ray.init(num_cpus=2)` on loopback, warmed first; per task
= (flow of N tasks - empty flow, both on `RayTaskRunner()` reusing that Ray)
/ N, against N `f.remote()` + one `ray.get` / N. Temporary: the whole flow with
`RayTaskRunner(init_kwargs=...)` starting and stopping its own Ray, against
`ray.init`, the tasks, `ray.shutdown()`; both / N.
Also checks that 1,000 mapped runs are all recorded.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
INIT = {"num_cpus": 2, "include_dashboard": False, "object_store_memory": 256 * 2**20}
perf = time.perf_counter


def inc(x: int) -> int:
    return x + 1


def warm(n: int) -> dict[str, Any]:
    """Both sides on one warmed Ray, alternating; medians of 3 rounds in this process."""
    import statistics

    import ray
    from headwater import flow, task
    from headwater_ray import RayTaskRunner

    tinc = task(inc)
    ray.init(**INIT)
    try:
        rinc = ray.remote(inc)

        @flow(task_runner=RayTaskRunner())
        def tasks(n: int) -> int:
            return len(tinc.map(range(n)).result())

        ray.get([rinc.remote(i) for i in range(50)])
        tasks(50)
        hw, floor = [], []
        for _ in range(3):
            t0 = perf()
            ray.get([rinc.remote(i) for i in range(n)])
            floor.append((perf() - t0) / n)
            t0 = perf()
            tasks(0)
            empty = perf() - t0
            t0 = perf()
            tasks(n)
            hw.append((perf() - t0 - empty) / n)
    finally:
        ray.shutdown()
    return {"headwater": statistics.median(hw), "floor": statistics.median(floor)}


def temporary(n: int) -> dict[str, Any]:
    import ray  # noqa: F401  (imported before timing, as in the floor)
    from headwater import flow, task
    from headwater_ray import RayTaskRunner

    tinc = task(inc)

    @flow(task_runner=RayTaskRunner(init_kwargs=INIT))
    def tasks(n: int) -> int:
        return len(tinc.map(range(n)).result())

    t0 = perf()
    tasks(n)
    return {"value": (perf() - t0) / n}


def temporary_floor(n: int) -> dict[str, Any]:
    import ray

    t0 = perf()
    ray.init(**INIT)
    started = perf() - t0
    rinc = ray.remote(inc)
    ray.get([rinc.remote(i) for i in range(n)])
    ray.shutdown()
    return {"value": (perf() - t0) / n, "startup": started}


def recorded(n: int) -> dict[str, Any]:
    from headwater import flow, task
    from headwater.history import get_store
    from headwater_ray import RayTaskRunner

    tinc = task(inc)

    @flow(task_runner=RayTaskRunner(init_kwargs=INIT))
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
    return {
        "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
        "RAY_USAGE_STATS_ENABLED": "0",
        "RAY_TMPDIR": tempfile.mkdtemp(prefix="hwrb", dir="/tmp"),
    }


def run_one(name: str, n: int) -> dict[str, Any]:
    """Run workload `name` in a fresh process with an empty HEADWATER_HOME."""
    from distributed_bench import one

    return one(Path(__file__), name, n, _env)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    from distributed_bench import Labels, main

    LABELS = Labels(
        warm="i. RayTaskRunner(), warm Ray, per task",
        temporary="i. RayTaskRunner(init_kwargs=...), own Ray, wall / N",
        recorded="i. RayTaskRunner, 1,000 mapped runs recorded",
    )
    raise SystemExit(main(__doc__ or "", ONE, run_one, LABELS))
