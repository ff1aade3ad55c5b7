"""The remote-runner interface is small: a runner on `concurrent.futures.ProcessPoolExecutor`,
written here against `RemoteTaskRunner` alone, passes the suite every runner must pass."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import pytest
from headwater.engine.packing import run_packed
from headwater.futures import HeadwaterConcurrentFuture
from headwater.states import StateType
from headwater.task_runners import RemoteTaskRunner
from headwater.task_runners.remote import PackedCall, RemoteError, RemoteRun
from headwater.testing import TaskRunnerConformance


class ExecutorTaskRunner(RemoteTaskRunner[HeadwaterConcurrentFuture[Any]]):
    """Each task run is one `run_packed` call on a spawned process pool."""

    short_name = "executor"
    backend_name = "ProcessPoolExecutor"

    def __init__(self, max_workers: int = 2) -> None:
        super().__init__()
        self.max_workers = max_workers
        self._pool: cf.ProcessPoolExecutor | None = None

    def duplicate(self) -> ExecutorTaskRunner:
        return type(self)(self.max_workers)

    def start_backend(self) -> None:
        spawn = multiprocessing.get_context("spawn")
        self._pool = cf.ProcessPoolExecutor(self.max_workers, mp_context=spawn)

    def stop_backend(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def cancel_all(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def send(self, run: RemoteRun, packed: PackedCall) -> None:
        if self._pool is None:
            raise RuntimeError("the runner was closed before this run could start")

        def settle(done: cf.Future[bytes]) -> None:
            try:
                outcome: bytes | BaseException = done.result()
            except BaseException as exc:
                outcome = exc
            run.finish(outcome)

        self._pool.submit(run_packed, *packed).add_done_callback(settle)

    def classify_error(self, exc: BaseException) -> RemoteError:
        if isinstance(exc, BrokenProcessPool):
            return RemoteError.WORKER_LOST
        return RemoteError.FAILED


class TestExecutorTaskRunner(TaskRunnerConformance):
    @pytest.fixture
    def task_runner(self) -> ExecutorTaskRunner:
        return ExecutorTaskRunner()


def test_the_interface_runner_is_small() -> None:
    """The claim this module proves: a working remote runner is under ~80 lines."""
    import inspect

    lines = inspect.getsource(ExecutorTaskRunner).splitlines()
    assert len(lines) < 80, len(lines)


# --- what the base does with a backend's failures, seen through this runner ---------
def test_a_worker_that_dies_crashes_its_run_naming_the_backend() -> None:
    import os

    from headwater import flow, task

    exit_now = task(os._exit)  # importable in the worker, and ends it at once

    @flow(task_runner=ExecutorTaskRunner(max_workers=1))
    def dies() -> Any:
        state = exit_now.submit(3, return_state=True)
        return state.type, state.message

    kind, message = dies()
    assert kind is StateType.CRASHED
    assert "was lost: the ProcessPoolExecutor worker running it died" in message
    assert "BrokenProcessPool" in message


def test_an_argument_that_cannot_be_pickled_fails_its_run_only() -> None:
    import threading

    from headwater import flow
    from headwater.testing.conformance import _tasks as t

    @flow(task_runner=ExecutorTaskRunner())
    def unsendable() -> Any:
        bad = t.type_name.submit(threading.Lock(), return_state=True)
        return bad.type, bad.message, t.add.submit(1, 2).result()

    kind, message, good = unsendable()
    assert kind is StateType.FAILED and good == 3
    assert "could not be sent to ProcessPoolExecutor" in message
    assert "can't be serialized" in message


def test_a_task_the_worker_cannot_import_fails_naming_the_cause(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys
    import types

    from headwater import flow, task

    here_only = types.ModuleType("module_missing_on_the_worker")
    monkeypatch.setitem(sys.modules, here_only.__name__, here_only)

    def local_only(x: int) -> int:
        return x

    local_only.__module__ = here_only.__name__
    local_only.__qualname__ = "local_only"
    here_only.local_only = local_only  # type: ignore[attr-defined]
    pinned = task(local_only)  # pickled by reference: the worker must import the module

    @flow(task_runner=ExecutorTaskRunner())
    def missing() -> Any:
        state = pinned.submit(1, return_state=True)
        return state.type, state.message

    kind, message = missing()
    assert kind is StateType.FAILED
    assert "could not run on the ProcessPoolExecutor worker" in message
    assert "module_missing_on_the_worker" in message
