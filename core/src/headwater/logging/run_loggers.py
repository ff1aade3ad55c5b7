"""Loggers bound to one flow or task run, and replay of remote workers' lines."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from headwater.logging.handlers import RunLoggerAdapter, configure_logging, console_handlers

if TYPE_CHECKING:
    from headwater.history.base import RunRecorder
    from headwater.history.records import FlowRun, LogEntry, TaskRun

_flow_logger = logging.getLogger("headwater.flow_runs")
_task_logger = logging.getLogger("headwater.task_runs")


def flow_run_logger(flow_run: FlowRun, recorder: RunRecorder) -> RunLoggerAdapter:
    configure_logging()
    return RunLoggerAdapter(
        _flow_logger,
        {
            "run_id": flow_run.id,
            "run_kind": "flow",
            "run_name": flow_run.name,
            "recorder": recorder,
        },
    )


def task_run_logger(task_run: TaskRun, recorder: RunRecorder) -> RunLoggerAdapter:
    configure_logging()
    return RunLoggerAdapter(
        _task_logger,
        {
            "run_id": task_run.id,
            "run_kind": "task",
            "run_name": task_run.name,
            "recorder": recorder,
        },
    )


def log_to_console(entry: LogEntry) -> None:
    """Show a line recorded elsewhere (a remote worker) on this process's console."""
    configure_logging()
    logger = logging.getLogger(entry.logger)
    if not logger.isEnabledFor(entry.level):
        return
    record = logger.makeRecord(entry.logger, entry.level, "(remote)", 0, entry.message, (), None)
    record.created = entry.timestamp
    record.msecs = (entry.timestamp - int(entry.timestamp)) * 1000
    extra: dict[str, Any] = {
        "run_kind": entry.run_kind,
        "run_name": entry.run_name,
        "run_id": entry.run_id,
        "replayed": True,
    }
    record.__dict__.update(extra)
    for handler in console_handlers():
        if entry.level >= handler.level:
            handler.handle(record)
