"""A real Dask cluster for the tests: LocalCluster with worker processes, on loopback.

One cluster serves the session (starting one costs about a second); tests
that need their own (a worker that dies, temporary clusters) start it
themselves. Dask's scratch space goes under pytest's temp dir. distributed
is imported directly: where it is missing the tests fail, never skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import distributed
import pytest
from dask_tasks import CLUSTER_KWARGS


@pytest.fixture(scope="session", autouse=True)
def dask_scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = str(tmp_path_factory.mktemp("dask-scratch"))
    old = os.environ.get("DASK_TEMPORARY_DIRECTORY")
    os.environ["DASK_TEMPORARY_DIRECTORY"] = path
    import dask

    with dask.config.set({"temporary-directory": path}):
        yield path
    if old is None:
        os.environ.pop("DASK_TEMPORARY_DIRECTORY", None)
    else:
        os.environ["DASK_TEMPORARY_DIRECTORY"] = old


@pytest.fixture(scope="session")
def dask_cluster(dask_scratch: str) -> Iterator[distributed.LocalCluster]:
    with distributed.LocalCluster(**CLUSTER_KWARGS) as cluster:
        yield cluster


@pytest.fixture
def dask_address(dask_cluster: distributed.LocalCluster) -> str:
    return dask_cluster.scheduler_address  # type: ignore[no-any-return]
