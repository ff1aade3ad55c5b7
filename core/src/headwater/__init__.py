"""headwater: Python workflow orchestration with Prefect's API.

    from headwater import flow, task

Names are loaded on first use, so `import headwater` stays fast; a script
pays only for what it touches. The `TYPE_CHECKING` block below is what type
checkers and editors read: it mirrors the table name for name (a test checks).
"""

from __future__ import annotations

from headwater.utilities.lazy import lazy_exports

__version__ = "0.1.0"

__all__ = [
    "ConcurrentTaskRunner",
    "Flow",
    "FlowRunContext",
    "HeadwaterFuture",
    "PrefectFuture",
    "ProcessPoolTaskRunner",
    "State",
    "Task",
    "TaskRunContext",
    "TaskRunner",
    "ThreadPoolTaskRunner",
    "Transaction",
    "__version__",
    "allow_failure",
    "as_completed",
    "flow",
    "get_run_logger",
    "hookimpl",
    "quote",
    "tags",
    "task",
    "unmapped",
    "wait",
]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from headwater.annotations import allow_failure, quote, unmapped
    from headwater.context import FlowRunContext, TaskRunContext, tags
    from headwater.flows import Flow, flow
    from headwater.futures import HeadwaterFuture, PrefectFuture, as_completed, wait
    from headwater.logging import get_run_logger
    from headwater.plugins import hookimpl
    from headwater.states import State
    from headwater.task_runners.base import TaskRunner
    from headwater.task_runners.process import ProcessPoolTaskRunner
    from headwater.task_runners.thread import ConcurrentTaskRunner, ThreadPoolTaskRunner
    from headwater.tasks import Task, task
    from headwater.transactions import Transaction
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "flow": "headwater.flows",
            "Flow": "headwater.flows",
            "task": "headwater.tasks",
            "Task": "headwater.tasks",
            "State": "headwater.states",
            "tags": "headwater.context",
            "get_run_logger": "headwater.logging",
            "unmapped": "headwater.annotations",
            "allow_failure": "headwater.annotations",
            "quote": "headwater.annotations",
            "HeadwaterFuture": "headwater.futures",
            "PrefectFuture": "headwater.futures",
            "wait": "headwater.futures",
            "as_completed": "headwater.futures",
            "TaskRunner": "headwater.task_runners.base",
            "ThreadPoolTaskRunner": "headwater.task_runners.thread",
            "ConcurrentTaskRunner": "headwater.task_runners.thread",
            "ProcessPoolTaskRunner": "headwater.task_runners.process",
            "FlowRunContext": "headwater.context",
            "TaskRunContext": "headwater.context",
            "hookimpl": "headwater.plugins",
            "Transaction": "headwater.transactions",
        },
    )
