"""Handlers and the formatter behind run logs."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from typing import Any

from headwater import settings

_configured = False
_new_record = object.__new__
_START = logging._startTime  # type: ignore[attr-defined]
_RECORD_BASE = {
    "args": (),
    "pathname": __file__,
    "filename": "handlers.py",
    "module": "handlers",
    "exc_info": None,
    "exc_text": None,
    "stack_info": None,
    "lineno": 0,
    "funcName": "engine",
    "processName": "MainProcess",
    "process": os.getpid(),
    "taskName": None,
}
_lock = threading.Lock()

RUN_KIND_LABEL = {"flow": "Flow run", "task": "Task run"}


class RunFormatter(logging.Formatter):
    """`HH:MM:SS.mmm | LEVEL   | Flow run 'name' - message`, as Prefect prints."""

    def __init__(self) -> None:
        super().__init__()
        self._last_second = -1
        self._last_prefix = ""

    def format(self, record: logging.LogRecord) -> str:
        created = record.created
        second = int(created)
        if second != self._last_second:
            self._last_second = second
            self._last_prefix = time.strftime("%H:%M:%S", time.localtime(created))
        msecs = int((created - second) * 1000)
        kind = getattr(record, "run_kind", None)
        who = (
            f"{RUN_KIND_LABEL[kind]} {record.run_name!r}"  # type: ignore[attr-defined]
            if kind
            else record.name
        )
        message = record.getMessage()
        line = f"{self._last_prefix}.{msecs:03d} | {record.levelname:<7} | {who} - {message}"
        if record.exc_info:
            if not record.exc_text:
                record.exc_text = self.formatException(record.exc_info)
            line = f"{line}\n{record.exc_text}"
        return line


class RunStoreHandler(logging.Handler):
    """Sends log records that belong to a run to that run's recorder."""

    def emit(self, record: logging.LogRecord) -> None:
        recorder = getattr(record, "recorder", None)
        if recorder is None or getattr(record, "replayed", False):
            return
        from headwater.history.records import LogEntry

        message = record.getMessage()
        if record.exc_info:
            message = f"{message}\n{logging.Formatter().formatException(record.exc_info)}"
        recorder.record_log(
            LogEntry(
                record.run_id,  # type: ignore[attr-defined]
                record.run_kind,  # type: ignore[attr-defined]
                record.levelno,
                message,
                record.created,
                record.name,
                record.run_name,  # type: ignore[attr-defined]
            )
        )


class RunLoggerAdapter(logging.LoggerAdapter):
    """Attaches the run's id, kind, name and recorder to every record."""

    def fast(self, level: int, msg: str) -> None:
        """Log an engine line without stdlib's caller lookup (a few microseconds saved
        per line, which matters at one line per task run)."""
        logger = self.logger
        if not logger.isEnabledFor(level):
            return
        record = _new_record(logging.LogRecord)
        now = time.time()
        d = record.__dict__
        d.update(_RECORD_BASE)
        d.update(self.extra or {})
        d["name"] = logger.name
        d["msg"] = msg
        d["levelno"] = level
        d["levelname"] = logging.getLevelName(level)
        d["created"] = now
        d["msecs"] = (now - int(now)) * 1000
        d["relativeCreated"] = (now - _START) * 1000
        d["thread"] = threading.get_ident()
        d["threadName"] = threading.current_thread().name
        logger.handle(record)

    def process(self, msg: Any, kwargs: Any) -> tuple[Any, Any]:
        extra = kwargs.get("extra")
        base = self.extra or {}
        kwargs["extra"] = {**base, **extra} if extra else base
        return msg, kwargs


def _not_captured(record: logging.LogRecord) -> bool:
    """Lines captured in a remote worker are shown by the orchestrator when replayed."""
    recorder = getattr(record, "recorder", None)
    return recorder is None or type(recorder).__name__ != "CapturingRecorder"


def configure_logging() -> None:
    """Install the console and run-store handlers on the `headwater` logger, once."""
    global _configured
    if _configured:
        return
    with _lock:
        if _configured:
            return
        root = logging.getLogger("headwater")
        level = (settings.get("logging_level") or "INFO").upper()
        root.setLevel(level)
        root.propagate = False
        if settings.get_bool("logging_to_console", True):
            from headwater.logging.console import BufferedConsoleHandler

            console = BufferedConsoleHandler(sys.stderr)
            console.setFormatter(RunFormatter())
            console.addFilter(_not_captured)
            console.set_name("headwater-console")
            root.addHandler(console)
        store = RunStoreHandler()
        store.set_name("headwater-run-store")
        root.addHandler(store)
        _configured = True


def console_handlers() -> list[logging.Handler]:
    return [
        h for h in logging.getLogger("headwater").handlers if h.get_name() == "headwater-console"
    ]


class HeadwaterConsoleHandler(logging.StreamHandler):
    """Prints any logger's records in the run-log look (`12:00:01.123 | INFO | name - msg`).

    Prefect's `PrefectConsoleHandler`: attach it to your own loggers to match
    headwater's console. `highlighter`, `styles` and `markup` are accepted for
    ported code and ignored (headwater prints plain text).
    """

    def __init__(
        self,
        stream: Any = None,
        highlighter: Any = None,
        styles: Any = None,
        level: int | str = logging.NOTSET,
        markup: bool = False,
    ) -> None:
        super().__init__(stream if stream is not None else sys.stderr)
        self.setLevel(level)
        self.setFormatter(RunFormatter())


PrefectConsoleHandler = HeadwaterConsoleHandler
