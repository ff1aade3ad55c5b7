"""Cost of a cache hit on local result storage, beside its plain-Python floors.

    python bench/cache_hits.py [--n N]

Standalone (not a workload of bench/run.py): it runs in this process with a
fresh, temporary HEADWATER_HOME and prints microseconds per call, medians of
five rounds:

* floor, disk: a hand-written disk cache (hash the inputs, read a pickle file, unpickle)
* floor, memory: `functools.lru_cache` hit
* headwater: a tracked task call that hits its cache (state Cached, body not run)
* headwater: the same task, uncached (for context: what a hit saves is the body)

Prefect 3.9.1 on this machine: a cache hit costs 10.8 ms (perf-anchors.md).
Measures and prints only; nothing passes or fails on a number.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import pickle
import statistics
import sys
import tempfile
import time
from collections.abc import Callable


def _per_call(fn: Callable[[], object], n: int) -> float:
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        rounds.append((time.perf_counter() - start) / n * 1e6)
    return statistics.median(rounds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="hw-bench-cache-")
    os.environ["HEADWATER_HOME"] = home

    from headwater import flow, task
    from headwater.cache_policies import INPUTS
    from headwater.history import get_store

    @task(cache_policy=INPUTS)
    def double(x: int) -> list[int]:
        return [x * 2] * 10

    @task(cache_policy=INPUTS, refresh_cache=True)
    def double_uncached(x: int) -> list[int]:
        return [x * 2] * 10

    floor_dir = tempfile.mkdtemp(prefix="hw-bench-floor-")

    def floor_disk(x: int = 21) -> object:
        key = hashlib.blake2b(json.dumps({"x": x}).encode(), digest_size=16).hexdigest()
        path = os.path.join(floor_dir, key)
        try:
            with open(path, "rb") as f:
                return pickle.loads(f.read())
        except FileNotFoundError:
            value = [x * 2] * 10
            with open(path, "wb") as f:
                f.write(pickle.dumps(value))
            return value

    @functools.cache
    def floor_memory(x: int = 21) -> list[int]:
        return [x * 2] * 10

    results: dict[str, float] = {}

    @flow
    def bench() -> None:
        double(21)  # first call runs and writes the record
        state = double(21, return_state=True)
        assert state.name == "Cached", state
        results["hit"] = _per_call(lambda: double(21), args.n)
        results["miss"] = _per_call(lambda: double_uncached(21), args.n // 4)

    floor_disk()
    results["floor_disk"] = _per_call(floor_disk, args.n)
    results["floor_memory"] = _per_call(floor_memory, args.n)
    import logging

    logging.disable(logging.INFO)  # console lines are not what is measured
    bench()
    get_store().flush() if hasattr(get_store(), "flush") else None
    print(f"python {sys.version.split()[0]}, n={args.n}, HEADWATER_HOME={home}")
    print(f"{'what':<48} {'us/call':>10}")
    print(f"{'floor: hand-written disk cache (read+unpickle)':<48} {results['floor_disk']:>10.1f}")
    print(f"{'floor: functools.lru_cache hit':<48} {results['floor_memory']:>10.2f}")
    print(f"{'headwater: tracked task, cache hit (Cached)':<48} {results['hit']:>10.1f}")
    print(f"{'headwater: tracked task, run + persist result':<48} {results['miss']:>10.1f}")
    print(f"{'Prefect 3.9.1: cache hit (perf-anchors.md)':<48} {10800.0:>10.1f}")


if __name__ == "__main__":
    main()
