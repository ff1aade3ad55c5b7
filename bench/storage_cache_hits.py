"""The cache-hit workload every storage benchmark shares (S3, Azure, GCS).

One flow fills the cache, a second calls the same task `n` times: every call a
hit read back through `storage`. Measured beside local storage by the caller.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any


def cache_hit_micros(storages: dict[str, Any], n: int, home: Path) -> dict[str, float]:
    """Microseconds per cache-hit task call for each named result storage."""
    os.environ["HEADWATER_HOME"] = str(home)
    os.environ.setdefault("HEADWATER_LOGGING_TO_CONSOLE", "false")  # not what is measured
    from headwater import flow, task
    from headwater.cache_policies import INPUTS

    per_call: dict[str, float] = {}
    for label, storage in storages.items():

        @task(cache_policy=INPUTS, result_storage=storage, persist_result=True)
        def double(x: int) -> int:
            return 2 * x

        @flow
        def fill() -> None:
            double(1)

        @flow
        def hits() -> float:
            start = time.perf_counter()
            for _ in range(n):
                double(1)
            return time.perf_counter() - start

        fill()
        per_call[label] = hits() / n * 1e6
    return per_call
