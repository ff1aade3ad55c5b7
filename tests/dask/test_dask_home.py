"""Dask workers persist and read results where the orchestrating flow would.

The cluster here is started as another user's would be: HOME points at an
empty directory and HEADWATER_HOME is unset in its worker processes. The flow
runs with the test's own HEADWATER_HOME; its caches must land there, a second
run must hit them, and the worker user's home must stay empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dask_tasks as t
import distributed
import pytest
from dask_tasks import CLUSTER_KWARGS
from headwater import flow
from headwater_dask import DaskTaskRunner


@pytest.fixture
def foreign_cluster(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, headwater_home: Path
) -> Iterator[tuple[str, Path]]:
    worker_home = tmp_path / "worker-user"
    worker_home.mkdir()
    with monkeypatch.context() as m:
        m.setenv("HOME", str(worker_home))
        m.delenv("HEADWATER_HOME")
        cluster = distributed.LocalCluster(**{**CLUSTER_KWARGS, "n_workers": 1})
    with cluster:
        yield cluster.scheduler_address, worker_home


def test_cache_lands_in_the_orchestrators_home(
    foreign_cluster: tuple[str, Path], headwater_home: Path, tmp_path: Path
) -> None:
    address, worker_home = foreign_cluster
    marks = tmp_path / "marks"
    marks.mkdir()

    @flow(task_runner=DaskTaskRunner(address=address))
    def squared() -> tuple[int, str]:
        state = t.cached_square.submit(str(marks), 7, return_state=True)
        return state.result(), state.name

    assert squared() == (49, "Completed")
    stored = [p for p in (headwater_home / "storage").rglob("*") if p.is_file()]
    assert [p for p in stored if p.name.endswith("-7")], stored
    assert squared() == (49, "Cached")
    assert t.executions(str(marks), "square-7") == 1
    assert not (worker_home / ".headwater").exists()


def test_flow_result_storage_is_used_by_workers(
    foreign_cluster: tuple[str, Path], tmp_path: Path
) -> None:
    address, worker_home = foreign_cluster
    results = tmp_path / "flow-results"

    @flow(
        persist_result=True,
        result_storage=str(results),
        task_runner=DaskTaskRunner(address=address),
    )
    def persisted() -> int:
        return t.plus_one.submit(41).result()

    assert persisted() == 42
    task_results = [p for p in results.iterdir() if not p.name.startswith("flow-run-")]
    assert len(task_results) == 1, list(results.iterdir())
    assert not (worker_home / ".headwater").exists()
