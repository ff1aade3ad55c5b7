"""The default task runner: a thread pool in the flow's process."""

from __future__ import annotations

import asyncio
import contextvars
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from headwater import settings
from headwater.futures import HeadwaterConcurrentFuture
from headwater.task_runners.base import TaskRunner
from headwater.task_runners.elastic_pool import ElasticThreadPool

if TYPE_CHECKING:
    from headwater.engine.task_call import TaskCall
    from headwater.tasks import Task


class ThreadPoolTaskRunner(TaskRunner[HeadwaterConcurrentFuture[Any]]):
    """Runs submitted tasks on threads. Unbounded by default, so tasks that submit
    and wait on other tasks can't deadlock the pool (Prefect issue #14194); threads
    beyond a small core start only when queued work is stalled (see elastic_pool)."""

    short_name = "thread"

    def __init__(self, max_workers: int | None = None) -> None:
        super().__init__()
        if max_workers is not None and max_workers < 1:
            raise ValueError(f"max_workers must be >= 1, got {max_workers}")
        self._requested_workers = max_workers
        self.max_workers = (
            max_workers or settings.get_int("tasks_runner_thread_pool_max_workers") or sys.maxsize
        )
        self._executor: ElasticThreadPool | None = None
        self._cancelled = False

    def duplicate(self) -> ThreadPoolTaskRunner:
        return type(self)(max_workers=self._requested_workers)

    def __enter__(self) -> ThreadPoolTaskRunner:
        super().__enter__()
        self._cancelled = False
        from headwater.history import is_throttling

        self._executor = ElasticThreadPool(self.max_workers, held_back=is_throttling)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=not self._cancelled, cancel_futures=self._cancelled)
            self._executor = None
        super().__exit__(*exc_info)

    def cancel_all(self) -> None:
        """Drop queued work and stop waiting for running work when the runner exits."""
        self._cancelled = True

    def submit(
        self,
        task: Task[Any, Any],
        parameters: dict[str, Any],
        wait_for: Iterable[Any] | None = None,
        dependencies: dict[str, set[Any]] | None = None,
    ) -> HeadwaterConcurrentFuture[Any]:
        call = self.prepare(task, parameters, wait_for, dependencies)
        assert self._executor is not None
        future: HeadwaterConcurrentFuture[Any] = HeadwaterConcurrentFuture(call.task_run)
        # queued as (future, function, context, call): no bound methods or partials per run
        runner = _run_async_call_in if task.isasync else _run_call_in
        self._executor.submit_to(future, runner, contextvars.copy_context(), call)
        return future

    def __repr__(self) -> str:
        return f"ThreadPoolTaskRunner(max_workers={self._requested_workers})"


def _run_call_in(ctx: contextvars.Context, call: TaskCall) -> Any:
    return ctx.run(call.run)


def _run_async_call_in(ctx: contextvars.Context, call: TaskCall) -> Any:
    return ctx.run(_run_async_call, call)


def _run_async_call(call: TaskCall) -> Any:
    return asyncio.run(call.arun())


# Prefect 2's name for the same runner
ConcurrentTaskRunner = ThreadPoolTaskRunner
