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

import argparse
import json
import os
import subprocess
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
    from headwater.store import get_store
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


def one(name: str, n: int) -> dict[str, Any]:
    """Run `name` in a fresh process with an empty HEADWATER_HOME."""
    from run import Home

    with Home() as env:
        env = {
            **env,
            "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
            "RAY_USAGE_STATS_ENABLED": "0",
            "RAY_TMPDIR": tempfile.mkdtemp(prefix="hwrb", dir="/tmp"),
        }
        argv = [sys.executable, str(Path(__file__)), "one", name, str(n)]
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("BENCH_RESULT ") and proc.returncode == 0:
            return json.loads(line.removeprefix("BENCH_RESULT "))  # type: ignore[no-any-return]
    raise RuntimeError(f"{name} exited {proc.returncode}: {proc.stderr[-2000:]}")


def table(reps: int, n: int) -> str:
    from run import Row, last_line, render

    warm_row = Row(
        f"i. RayTaskRunner(), warm Ray, per task, N={n}",
        "ms",
        "<= 1.5x floor",
        "- (not measured)",
    )
    temp_row = Row(
        f"i. RayTaskRunner(init_kwargs=...), own Ray, wall / N, N={n}",
        "ms",
        "<= start-up + 1.5x",
        "- (not measured)",
    )
    rec_row = Row("i. RayTaskRunner, 1,000 mapped runs recorded", "count", "1,000", "-")
    startups: list[float] = []
    try:
        for _ in range(reps):
            got = one("warm", n)
            warm_row.headwater.append(got["headwater"])
            warm_row.floor.append(got["floor"])
            temp_row.headwater.append(one("temporary", n)["value"])
            floor = one("temporary-floor", n)
            temp_row.floor.append(floor["value"])
            startups.append(floor["startup"])
        rec_row.headwater.append(one("recorded", 1000)["value"])
    except Exception as exc:
        for row in (warm_row, temp_row, rec_row):
            row.error = row.error or last_line(exc)
    warm_floor = warm_row.med(warm_row.floor)
    warm_row.ok = lambda v: warm_floor is not None and v <= 1.5 * warm_floor
    temp_floor, startup = temp_row.med(temp_row.floor), temp_row.med(startups)
    if temp_floor is not None and startup is not None:
        temp_row.target = f"<= {startup:.2f} s start-up + 1.5x tasks"
        temp_row.ok = lambda v: v * n <= startup + 1.5 * (temp_floor * n - startup)
    rec_row.ok = lambda v: v == 1000
    return render([warm_row, temp_row, rec_row])


def main() -> int:
    if len(sys.argv) >= 2 and sys.argv[1] == "one":
        result = ONE[sys.argv[2]](int(sys.argv[3]))
        print("BENCH_RESULT " + json.dumps(result))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(table(args.reps, args.n))
    print(f"\nmedians of {args.reps} fresh processes; load1 before: {load:.2f}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    raise SystemExit(main())
