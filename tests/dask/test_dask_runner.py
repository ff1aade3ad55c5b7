"""DaskTaskRunner on real clusters: options, lifetimes, dead workers, bad input, scale."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import dask_tasks as t
import distributed
import pytest
from dask_tasks import CLUSTER_KWARGS
from headwater import flow
from headwater.futures import wait
from headwater.history import get_store
from headwater.states import StateType
from headwater.task_runners.registry import get_task_runner_class
from headwater_dask import DaskTaskRunner, get_async_dask_client, get_dask_client


def flow_runs(name: str) -> list[dict[str, Any]]:
    store = get_store()
    store.flush()
    return store.read_flow_runs(flow_name=name, limit=5)  # type: ignore[no-any-return]


# --- registration and options ----------------------------------------------------
def test_registered_as_dask_through_the_plugin_hook() -> None:
    assert get_task_runner_class("dask") is DaskTaskRunner


def test_plugin_module_imports_no_dask() -> None:
    code = "import sys, headwater_dask.plugin; assert 'distributed' not in sys.modules, 'imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"address": "tcp://x:1", "cluster_class": "distributed.LocalCluster"},
        {"address": "tcp://x:1", "cluster_kwargs": {"n_workers": 1}},
        {"address": "tcp://x:1", "adapt_kwargs": {"maximum": 2}},
        {"cluster": object(), "cluster_kwargs": {"n_workers": 1}},
        {"cluster": object(), "cluster_class": "distributed.LocalCluster"},
        {"client_kwargs": {"asynchronous": True}},
        {"cluster_kwargs": {"asynchronous": True}},
    ],
)
def test_prefects_exclusive_options(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="specif"):
        DaskTaskRunner(**kwargs)


def test_duplicate_keeps_the_configuration() -> None:
    runner = DaskTaskRunner(cluster_kwargs={"n_workers": 1}, client_kwargs={"timeout": 5})
    copy = runner.duplicate()
    assert copy.cluster_kwargs == {"n_workers": 1}
    assert copy.client_kwargs == {"timeout": 5, "set_as_default": False}


# --- lifetimes -------------------------------------------------------------------
def test_temporary_cluster_by_import_string_is_closed_after_the_flow(tmp_path: Path) -> None:
    kwargs = {**CLUSTER_KWARGS, "n_workers": 1}
    runner = DaskTaskRunner(cluster_class="distributed.LocalCluster", cluster_kwargs=kwargs)
    seen: dict[str, Any] = {}

    @flow(task_runner=runner)
    def on_temporary() -> list[int]:
        from headwater.context import FlowRunContext

        ctx = FlowRunContext.get()
        assert ctx is not None
        seen["cluster"] = ctx.task_runner._owned_cluster  # type: ignore[attr-defined]
        return t.inc.map([1, 2, 3]).result()

    assert on_temporary() == [2, 3, 4]
    assert seen["cluster"].status.name == "closed"


def test_existing_cluster_object_is_left_running(dask_cluster: distributed.LocalCluster) -> None:
    @flow(task_runner=DaskTaskRunner(cluster=dask_cluster))
    def on_object() -> int:
        return t.plus_one.submit(41).result()

    assert on_object() == 42
    assert dask_cluster.status.name == "running"


# --- engine behaviours across the wire -----------------------------------------
def test_dependencies_caching_and_records(dask_address: str, tmp_path: Path) -> None:
    directory = str(tmp_path)

    @flow(task_runner=DaskTaskRunner(address=dask_address))
    def cached() -> tuple[int, int, str]:
        first = t.cached_square.submit(directory, 4)
        second = t.cached_square.submit(directory, 4, wait_for=[first])
        return first.result(), t.plus_one.submit(second).result(), second.state.name

    assert cached() == (16, 17, "Cached")
    assert t.executions(directory, "square-4") == 1


def test_get_dask_client_inside_tasks(dask_address: str) -> None:
    from headwater import task

    @task
    def sync_uses_client(x: int) -> int:
        with get_dask_client() as client:
            return client.submit(lambda v: v * 10, x).result()  # type: ignore[no-any-return]

    @task
    async def async_uses_client(x: int) -> int:
        async with get_async_dask_client() as client:
            return await client.submit(lambda v: v + 100, x)  # type: ignore[no-any-return]

    @flow(task_runner=DaskTaskRunner(address=dask_address))
    def nested() -> tuple[int, int]:
        return sync_uses_client.submit(4).result(), async_uses_client.submit(4).result()

    assert nested() == (40, 104)


def test_a_thousand_mapped_runs_are_all_recorded(dask_address: str) -> None:
    name = "dask-thousand"

    @flow(name=name, task_runner=DaskTaskRunner(address=dask_address))
    def thousand() -> int:
        return sum(t.inc.map(range(1000)).result())

    assert thousand() == sum(range(1, 1001))
    run = flow_runs(name)[0]
    store = get_store()
    runs = store.read_task_runs(flow_run_id=run["id"], limit=2000)
    assert len(runs) == 1000
    assert {r["state_type"] for r in runs} == {"COMPLETED"}


# --- a worker that dies -----------------------------------------------------------
def test_a_killed_worker_crashes_its_task_only(tmp_path: Path) -> None:
    directory = str(tmp_path)
    name = "dask-worker-dies"
    runner = DaskTaskRunner(cluster_kwargs=CLUSTER_KWARGS)

    @flow(name=name, task_runner=runner)
    def doomed() -> None:
        done = [t.counted.submit(directory, f"done-{i}", i) for i in range(4)]
        wait(done)
        boom = t.die_mid_task.submit(directory)
        boom.wait()
        assert boom.state.type is StateType.CRASHED, boom.state
        assert boom.task_run.name in (boom.state.message or "")
        # completed upstreams feed new runs from the orchestrator: never recomputed
        assert [t.plus_one.submit(f).result() for f in done] == [1, 2, 3, 4]
        boom.result()

    state = doomed(return_state=True)
    assert state.is_failed()
    with pytest.raises(Exception, match="die_mid_task"):
        state.result()
    assert t.executions(directory, "die") == 1
    assert [t.executions(directory, f"done-{i}") for i in range(4)] == [1, 1, 1, 1]
    run = flow_runs(name)[0]
    crashed = [
        r for r in get_store().read_task_runs(flow_run_id=run["id"]) if r["state_type"] == "CRASHED"
    ]
    assert len(crashed) == 1 and crashed[0]["name"].startswith("die_mid_task")


# --- bad input ----------------------------------------------------------------------
def test_unreachable_scheduler_is_named_and_recorded() -> None:
    name = "dask-unreachable"
    runner = DaskTaskRunner(address="tcp://127.0.0.1:9", client_kwargs={"timeout": "1s"})

    @flow(name=name, task_runner=runner)
    def nowhere() -> None:
        pass

    with pytest.raises(ConnectionError, match=r"tcp://127\.0\.0\.1:9"):
        nowhere()
    assert flow_runs(name)[0]["state_type"] == "CRASHED"


def test_cluster_class_that_does_not_import_is_named_and_recorded() -> None:
    name = "dask-bad-class"

    @flow(name=name, task_runner=DaskTaskRunner(cluster_class="no_such_module.Cluster"))
    def bad_class() -> None:
        pass

    with pytest.raises(ImportError, match="no_such_module.Cluster"):
        bad_class()
    assert flow_runs(name)[0]["state_type"] == "CRASHED"


def test_unserialisable_argument_fails_that_run_by_name(dask_address: str) -> None:
    @flow(task_runner=DaskTaskRunner(address=dask_address))
    def lock_in() -> tuple[str, str, int]:
        state = t.takes.submit(threading.Lock(), return_state=True)
        return state.name, state.message or "", t.plus_one.submit(1).result()

    name, message, after = lock_in()
    assert name == "Failed" and after == 2
    assert "takes" in message and "serialized" in message and "lock" in message
