"""Run logs: Prefect's console look, stdlib logging underneath, every line recorded.

`get_run_logger()` inside a flow or task returns a logger whose lines go to the
console (`12:00:01.123 | INFO    | Task run 'add-3f2' - ...`) and to the run
store, attached to the run. Console output is configured once, on the first
run, on the `headwater` logger only; users' own logging setup is left alone.
"""

from __future__ import annotations

import logging
from typing import Any

from headwater.logging.handlers import (
    HeadwaterConsoleHandler,
    PrefectConsoleHandler,
    RunLoggerAdapter,
    configure_logging,
)

__all__ = [
    "HeadwaterConsoleHandler",
    "PrefectConsoleHandler",
    "RunLoggerAdapter",
    "configure_logging",
    "get_logger",
    "get_run_logger",
]


def get_logger(name: str | None = None) -> logging.Logger:
    """A logger under the `headwater` namespace."""
    if not name:
        return logging.getLogger("headwater")
    return logging.getLogger(name if name.startswith("headwater") else f"headwater.{name}")


def get_run_logger(context: Any = None, **extra: Any) -> RunLoggerAdapter:
    """The current run's logger; MissingContextError outside a flow or task run."""
    from headwater.context import get_run_context
    from headwater.logging.run_loggers import flow_run_logger, task_run_logger

    ctx = context or get_run_context()
    if hasattr(ctx, "task_run"):
        adapter = task_run_logger(ctx.task_run, ctx.recorder)
    else:
        adapter = flow_run_logger(ctx.flow_run, ctx.recorder)
    if extra:
        adapter.extra = {**(adapter.extra or {}), **extra}
    return adapter
