"""headwater: Python workflow orchestration with Prefect's API.

    from headwater import flow, task

Names are loaded on first use, so `import headwater` stays fast; a script
pays only for what it touches.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "flow": "headwater.flows",
    "Flow": "headwater.flows",
    "task": "headwater.tasks",
    "Task": "headwater.tasks",
    "State": "headwater.states",
    "tags": "headwater.context",
    "get_run_logger": "headwater.logging",
    "get_client": "headwater.client",
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
}

__all__ = [*sorted(_EXPORTS), "__version__"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'headwater' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
