"""One real Ray instance for the whole session, bound to loopback.

`ray.init` costs seconds and about ten processes, so every Ray test shares
one (services.md section 6): 2 CPUs, no dashboard, a 256 MB object store,
session files under a short temp dir (Unix socket paths are limited to 107
bytes), no usage stats. ray is imported directly: where it is missing the
tests fail, never skip.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

RAY_ENV = {
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
    "RAY_USAGE_STATS_ENABLED": "0",
}


@pytest.fixture(scope="session", autouse=True)
def ray_session() -> Iterator[Any]:
    short = tempfile.mkdtemp(prefix="hwray", dir="/tmp")
    saved = {k: os.environ.get(k) for k in (*RAY_ENV, "RAY_TMPDIR")}
    os.environ.update(RAY_ENV, RAY_TMPDIR=short)
    import ray

    ray.init(num_cpus=2, include_dashboard=False, object_store_memory=256 * 2**20)
    try:
        yield ray
    finally:
        ray.shutdown()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(short, ignore_errors=True)
