"""The console handler: lines are written in small batches, not one system call each.

A tracked task logs one line ("Finished in state Completed()"). Writing it
straight to stderr costs a system call, and every system call hands the GIL
to the run store's writer thread, which can keep it for a while: measured at
~20 us per line when stderr is a pipe. So lines are buffered and written by a
flusher thread at most `interval` seconds later (20 ms: nobody watching a
terminal sees the difference), immediately for WARNING and above, and at the
end of every flow run and at exit, so nothing is lost or reordered.
"""

from __future__ import annotations

import atexit
import logging
import threading
import weakref
from typing import Any, TextIO

_handlers: weakref.WeakSet[BufferedConsoleHandler] = weakref.WeakSet()


class BufferedConsoleHandler(logging.StreamHandler):  # type: ignore[type-arg]
    def __init__(self, stream: TextIO | None = None, interval: float = 0.02) -> None:
        super().__init__(stream)
        self.interval = interval
        self._pending: list[str] = []
        self._wake = threading.Event()
        self._flusher: threading.Thread | None = None
        _handlers.add(self)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:
            self.handleError(record)
            return
        self._pending.append(line)
        if record.levelno >= logging.WARNING:
            self.flush()
        elif len(self._pending) == 1:
            self._schedule()

    def _schedule(self) -> None:
        if self._flusher is None or not self._flusher.is_alive():
            self._flusher = threading.Thread(
                target=self._run, name="headwater-console-flusher", daemon=True
            )
            self._flusher.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            threading.Event().wait(self.interval)
            self.flush()

    def flush(self) -> None:
        """Write buffered lines, then flush the stream."""
        self.acquire()
        try:
            pending, self._pending = self._pending, []
            stream: Any = self.stream
            if stream is None:
                return
            if pending:
                stream.write("\n".join(pending) + "\n")
            if hasattr(stream, "flush"):
                stream.flush()
        except Exception:
            pass
        finally:
            self.release()


def flush_console() -> None:
    """Write every buffered console line now (end of a flow run, exit)."""
    for handler in list(_handlers):
        handler.flush()


atexit.register(flush_console)
