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

import argparse
import json
import os
import subprocess
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
    from headwater.store import get_store
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


def one(name: str, n: int) -> dict[str, Any]:
    """Run `name` in a fresh process with an empty HEADWATER_HOME."""
    from run import Home

    with Home() as env:
        env = {**env, "DASK_TEMPORARY_DIRECTORY": env["HEADWATER_HOME"]}
        argv = [sys.executable, str(Path(__file__)), "one", name, str(n)]
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("BENCH_RESULT ") and proc.returncode == 0:
            return json.loads(line.removeprefix("BENCH_RESULT "))  # type: ignore[no-any-return]
    raise RuntimeError(f"{name} exited {proc.returncode}: {proc.stderr[-2000:]}")


def table(reps: int, n: int) -> str:
    from run import Row, last_line, render

    warm_row = Row(
        f"i. DaskTaskRunner(address=...), warm cluster, per task, N={n}",
        "ms",
        "<= 1.5x floor",
        "105 ms (36x)",
    )
    temp_row = Row(
        f"i. DaskTaskRunner(), temporary cluster, wall / N, N={n}",
        "ms",
        "<= start-up + 1.5x",
        "174 ms (30x)",
    )
    rec_row = Row("i. DaskTaskRunner, 1,000 mapped runs recorded", "count", "1,000", "-")
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
