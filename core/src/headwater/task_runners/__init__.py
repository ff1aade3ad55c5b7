"""Task runners: where submitted task runs execute. Core ships threads and processes;
plugins add more (Dask, Ray) through the `headwater_task_runners` hook; runners that
execute runs in other processes subclass `RemoteTaskRunner`."""

from __future__ import annotations

from headwater.utilities.lazy import lazy_exports

__all__ = [
    "ConcurrentTaskRunner",
    "ProcessPoolTaskRunner",
    "RemoteTaskRunner",
    "TaskRunner",
    "ThreadPoolTaskRunner",
]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from headwater.task_runners.base import TaskRunner
    from headwater.task_runners.process import ProcessPoolTaskRunner
    from headwater.task_runners.remote import RemoteTaskRunner
    from headwater.task_runners.thread import ConcurrentTaskRunner, ThreadPoolTaskRunner
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "TaskRunner": "headwater.task_runners.base",
            "ThreadPoolTaskRunner": "headwater.task_runners.thread",
            "ConcurrentTaskRunner": "headwater.task_runners.thread",
            "ProcessPoolTaskRunner": "headwater.task_runners.process",
            "RemoteTaskRunner": "headwater.task_runners.remote",
        },
    )
