"""Task runners: where submitted task runs execute. Core ships threads and processes;
plugins add more (Dask, Ray) through the `headwater_task_runners` hook."""

from __future__ import annotations

from typing import Any

__all__ = ["ConcurrentTaskRunner", "ProcessPoolTaskRunner", "TaskRunner", "ThreadPoolTaskRunner"]


def __getattr__(name: str) -> Any:
    if name == "TaskRunner":
        from headwater.task_runners.base import TaskRunner

        return TaskRunner
    if name in ("ThreadPoolTaskRunner", "ConcurrentTaskRunner"):
        from headwater.task_runners.thread import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner
    if name == "ProcessPoolTaskRunner":
        from headwater.task_runners.process import ProcessPoolTaskRunner

        return ProcessPoolTaskRunner
    raise AttributeError(f"module 'headwater.task_runners' has no attribute {name!r}")
