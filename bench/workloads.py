"""Benchmark workloads, each beside its plain-Python floor.

Run one in a fresh process: `python bench/workloads.py WORKLOAD MODE [ARG]`, where
MODE is `headwater` or `floor`. It prints one line `BENCH_RESULT {json}` on stdout.
The floor variants never import headwater. `bench/run.py` drives these.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

perf = time.perf_counter


def rss_now_mb() -> float:
    """Current resident set size (VmRSS), in MB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def inc(x: int) -> int:
    return x + 1


def empty_flows(mode: str, n: int) -> dict[str, Any]:
    """(c) n calls of a flow with an empty body; seconds per flow."""
    if mode == "headwater":
        from headwater import flow

        @flow
        def empty() -> None:
            pass

        call: Callable[[], None] = empty
    else:

        def call() -> None:
            pass

    call()  # first call pays one-time setup (store open, logging config)
    t0 = perf()
    for _ in range(n):
        call()
    return {"value": (perf() - t0) / n}


def sequential(mode: str, n: int) -> dict[str, Any]:
    """(d) n tracked task calls inside one flow; seconds per task, timed in the flow."""
    if mode == "headwater":
        from headwater import flow, task

        tinc = task(inc)

        @flow
        def seq(n: int) -> float:
            t0 = perf()
            for i in range(n):
                tinc(i)
            return perf() - t0

        elapsed = seq(n)
    else:
        t0 = perf()
        for i in range(n):
            inc(i)
        elapsed = perf() - t0
    return {"value": elapsed / n}


def submitted(mode: str, n: int) -> dict[str, Any]:
    """(e) n `.submit()` calls on the default thread runner, then every `.result()`."""
    if mode == "headwater":
        from headwater import flow, task

        tinc = task(inc)

        @flow
        def fan(n: int) -> float:
            t0 = perf()
            futures = [tinc.submit(i) for i in range(n)]
            for f in futures:
                f.result()
            return perf() - t0

        elapsed = fan(n)
    else:
        with ThreadPoolExecutor() as pool:
            t0 = perf()
            futures = [pool.submit(inc, i) for i in range(n)]
            for f in futures:
                f.result()
            elapsed = perf() - t0
    return {"value": elapsed / n}


def peak_rss(mode: str, n: int) -> dict[str, Any]:
    """(f) peak RSS of a process that runs a flow of n sequential tasks."""
    sequential(mode, n)
    return {"value": peak_rss_mb()}


def submitted_rss(mode: str, n: int) -> dict[str, Any]:
    """(g2) one flow submitting n tasks to the default thread runner, holding every
    future, then reading every result; peak RSS, and microseconds per submit."""
    if mode == "headwater":
        from headwater import flow, task

        tinc = task(inc)

        @flow
        def fan(n: int) -> tuple[float, int]:
            t0 = perf()
            futures = [tinc.submit(i) for i in range(n)]
            submitting = perf() - t0
            return submitting, sum(f.result() for f in futures)

        submitting, total = fan(n)
    else:
        with ThreadPoolExecutor() as pool:
            t0 = perf()
            futures = [pool.submit(inc, i) for i in range(n)]
            submitting = perf() - t0
            total = sum(f.result() for f in futures)
    assert total == n * (n + 1) // 2
    return {"value": peak_rss_mb(), "per_submit_s": submitting / n}


def big_flow(mode: str, n: int) -> dict[str, Any]:
    """(g) one flow of n tasks; RSS after 10% of them and at the end, and wall time."""
    samples: dict[str, float] = {}
    tenth = n // 10
    if mode == "headwater":
        from headwater import flow, task

        tinc = task(inc)

        @flow
        def big(n: int) -> None:
            for i in range(n):
                tinc(i)
                if i == tenth:
                    samples["rss_at_tenth_mb"] = rss_now_mb()
            samples["rss_at_end_mb"] = rss_now_mb()

        t0 = perf()
        big(n)
    else:
        t0 = perf()
        for i in range(n):
            inc(i)
            if i == tenth:
                samples["rss_at_tenth_mb"] = rss_now_mb()
        samples["rss_at_end_mb"] = rss_now_mb()
    return {"value": perf() - t0, **samples, "peak_rss_mb": peak_rss_mb()}


def fan_in(mode: str, flows: int) -> dict[str, Any]:
    """(h) a 6-task fan-in DAG (5 sources -> 1 sum) per flow; seconds per flow."""

    def source(i: int) -> int:
        return i * i

    def total(values: list[int]) -> int:
        return sum(values)

    if mode == "headwater":
        from headwater import flow, task

        tsource, ttotal = task(source), task(total)

        @flow
        def dag() -> int:
            parts = [tsource.submit(i) for i in range(5)]
            return ttotal.submit(parts).result()

        run: Callable[[], int] = dag
    else:

        def run() -> int:
            return total([source(i) for i in range(5)])

    t0 = perf()
    for _ in range(flows):
        assert run() == 30
    return {"value": (perf() - t0) / flows}


WORKLOADS: dict[str, Callable[[str, int], dict[str, Any]]] = {
    "empty_flows": empty_flows,
    "sequential": sequential,
    "submitted": submitted,
    "peak_rss": peak_rss,
    "big_flow": big_flow,
    "submitted_rss": submitted_rss,
    "fan_in": fan_in,
}


def main() -> None:
    name, mode, arg = sys.argv[1], sys.argv[2], int(sys.argv[3])
    result = WORKLOADS[name](mode, arg)
    sys.stdout.flush()
    print("BENCH_RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
