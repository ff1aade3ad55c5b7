"""What the Dask and Ray benchmarks share: run one workload in a fresh process, and
the table (warm cluster, temporary cluster, 1,000 runs recorded) with its targets.

Each runner's file defines its workloads (`warm`, `temporary`, `temporary-floor`,
`recorded`), the extra environment a fresh process needs, and its row labels.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Labels:
    warm: str
    temporary: str
    recorded: str
    prefect_warm: str = "- (not measured)"
    prefect_temporary: str = "- (not measured)"


def one(
    script: Path, name: str, n: int, extra_env: Callable[[dict[str, str]], dict[str, str]]
) -> dict[str, Any]:
    """Run workload `name` of `script` in a fresh process with an empty HEADWATER_HOME."""
    from run import Home

    with Home() as env:
        argv = [sys.executable, str(script), "one", name, str(n)]
        proc = subprocess.run(
            argv, env={**env, **extra_env(env)}, capture_output=True, text=True, timeout=600
        )
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("BENCH_RESULT ") and proc.returncode == 0:
            return json.loads(line.removeprefix("BENCH_RESULT "))  # type: ignore[no-any-return]
    raise RuntimeError(f"{name} exited {proc.returncode}: {proc.stderr[-2000:]}")


def table(run_one: Callable[[str, int], dict[str, Any]], labels: Labels, reps: int, n: int) -> str:
    from run import Row, last_line, render

    warm_row = Row(f"{labels.warm}, N={n}", "ms", "<= 1.5x floor", labels.prefect_warm)
    temp_row = Row(
        f"{labels.temporary}, N={n}", "ms", "<= start-up + 1.5x", labels.prefect_temporary
    )
    rec_row = Row(labels.recorded, "count", "1,000", "-")
    startups: list[float] = []
    try:
        for _ in range(reps):
            got = run_one("warm", n)
            warm_row.headwater.append(got["headwater"])
            warm_row.floor.append(got["floor"])
            temp_row.headwater.append(run_one("temporary", n)["value"])
            floor = run_one("temporary-floor", n)
            temp_row.floor.append(floor["value"])
            startups.append(floor["startup"])
        rec_row.headwater.append(run_one("recorded", 1000)["value"])
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


def main(
    doc: str,
    workloads: dict[str, Callable[[int], dict[str, Any]]],
    run_one: Callable[[str, int], dict[str, Any]],
    labels: Labels,
) -> int:
    if len(sys.argv) >= 2 and sys.argv[1] == "one":
        result = workloads[sys.argv[2]](int(sys.argv[3]))
        print("BENCH_RESULT " + json.dumps(result))
        return 0
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(table(run_one, labels, args.reps, args.n))
    print(f"\nmedians of {args.reps} fresh processes; load1 before: {load:.2f}")
    return 0
