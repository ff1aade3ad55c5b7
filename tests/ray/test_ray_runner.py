"""RayTaskRunner on a real Ray: reuse, remote_options, dead workers, bad input, scale."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import ray_tasks as t
from headwater import flow
from headwater.futures import wait
from headwater.history import get_store
from headwater.states import StateType
from headwater.task_runners.registry import get_task_runner_class
from headwater_ray import RayTaskRunner, remote_options
from headwater_ray.context import RemoteOptionsContext


def flow_runs(name: str) -> list[dict[str, Any]]:
    store = get_store()
    store.flush()
    return store.read_flow_runs(flow_name=name, limit=5)  # type: ignore[no-any-return]


def test_registered_as_ray_through_the_plugin_hook() -> None:
    assert get_task_runner_class("ray") is RayTaskRunner


def test_plugin_module_imports_no_ray() -> None:
    code = "import sys, headwater_ray.plugin; assert 'ray' not in sys.modules, 'imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_reuses_initialised_ray_and_leaves_it_running(ray_session: Any) -> None:
    @flow(task_runner=RayTaskRunner(init_kwargs={"num_cpus": 1}))
    def reuse() -> int:
        return t.plus_one.submit(1).result()

    assert reuse() == 2
    assert ray_session.is_initialized()
    assert RayTaskRunner().duplicate().init_kwargs == {"namespace": "headwater"}


def test_remote_options_set_resources_per_submission() -> None:
    @flow(task_runner=RayTaskRunner())
    def resources() -> tuple[float, float, dict[str, Any]]:
        with remote_options(num_cpus=2):
            two = t.assigned_cpus.submit()
            with remote_options(max_retries=1):
                inner = RemoteOptionsContext.get().current_remote_options
        return two.result(), t.assigned_cpus.submit().result(), inner

    two, default, inner = resources()
    assert (two, default) == (2.0, 1.0)
    assert inner == {"num_cpus": 2, "max_retries": 1}


def test_dependencies_caching_and_records(tmp_path: Path) -> None:
    directory = str(tmp_path)

    @flow(task_runner=RayTaskRunner())
    def cached() -> tuple[int, int, str]:
        first = t.cached_square.submit(directory, 4)
        second = t.cached_square.submit(directory, 4, wait_for=[first])
        return first.result(), t.plus_one.submit(second).result(), second.state.name

    assert cached() == (16, 17, "Cached")
    assert t.executions(directory, "square-4") == 1


def test_a_thousand_mapped_runs_are_all_recorded() -> None:
    name = "ray-thousand"

    @flow(name=name, task_runner=RayTaskRunner())
    def thousand() -> int:
        return sum(t.inc.map(range(1000)).result())

    assert thousand() == sum(range(1, 1001))
    runs = get_store().read_task_runs(flow_run_id=flow_runs(name)[0]["id"], limit=2000)
    assert len(runs) == 1000
    assert {r["state_type"] for r in runs} == {"COMPLETED"}


def test_a_killed_worker_crashes_its_task_only(tmp_path: Path) -> None:
    directory = str(tmp_path)
    name = "ray-worker-dies"

    @flow(name=name, task_runner=RayTaskRunner())
    def doomed() -> None:
        done = [t.counted.submit(directory, f"done-{i}", i) for i in range(4)]
        wait(done)
        boom = t.die_mid_task.submit(directory)
        boom.wait()
        assert boom.state.type is StateType.CRASHED, boom.state
        assert boom.task_run.name in (boom.state.message or "")
        assert [t.plus_one.submit(f).result() for f in done] == [1, 2, 3, 4]
        boom.result()

    state = doomed(return_state=True)
    assert state.is_failed()
    with pytest.raises(Exception, match="die_mid_task"):
        state.result()
    assert t.executions(directory, "die") == 1
    assert [t.executions(directory, f"done-{i}") for i in range(4)] == [1, 1, 1, 1]
    runs = get_store().read_task_runs(flow_run_id=flow_runs(name)[0]["id"])
    crashed = [r for r in runs if r["state_type"] == "CRASHED"]
    assert len(crashed) == 1 and crashed[0]["name"].startswith("die_mid_task")


def test_unreachable_address_is_named_and_recorded(tmp_path: Path) -> None:
    """In a fresh process, where Ray is not initialised yet."""
    script = tmp_path / "nowhere.py"
    script.write_text(
        "from headwater import flow\n"
        "from headwater_ray import RayTaskRunner\n"
        "@flow(name='ray-unreachable', task_runner=RayTaskRunner(address='ray://127.0.0.1:9'))\n"
        "def nowhere():\n    pass\n"
        "nowhere()\n"
    )
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode != 0
    assert (
        "ConnectionError: RayTaskRunner could not connect to Ray at 'ray://127.0.0.1:9'"
        in proc.stderr
    )
    get_store().flush()
    from headwater.history import reset_store

    reset_store()
    assert flow_runs("ray-unreachable")[0]["state_type"] == "CRASHED"


def test_unserialisable_argument_fails_that_run_by_name() -> None:
    @flow(task_runner=RayTaskRunner())
    def lock_in() -> tuple[str, str, int]:
        state = t.takes.submit(threading.Lock(), return_state=True)
        return state.name, state.message or "", t.plus_one.submit(1).result()

    name, message, after = lock_in()
    assert name == "Failed" and after == 2
    assert "takes" in message and "serialized" in message and "lock" in message
