"""The console handler: lines are written in small batches, not one system call each.

A tracked task logs one line ("Finished in state Completed()"). Writing it
straight to stderr costs a system call, and every system call hands the GIL
to the run store's writer thread, which can keep it for a while: measured at
~20 us per line when stderr is a pipe. So lines are buffered and written by a
flusher thread at most `interval` seconds later (20 ms: nobody watching a
terminal sees the difference), immediately for WARNING and above, and at the
end of every flow run and at exit, so nothing is lost.

Buffering must not reorder what the terminal shows: a `print()` made after a
log line must appear after it. So while lines are pending, `sys.stdout` and
`sys.stderr` are wrapped in an `OrderedStream` that writes the pending lines
before anything else is written; and before writing its lines, the handler
flushes `sys.stdout`, whose buffer (block-buffered when it is a pipe) holds
only text written before those lines. The wrappers go back to the original
streams at the end of each flow run (they come back with the next log line).
"""

from __future__ import annotations

import atexit
import logging
import sys
import threading
import weakref
from typing import Any, TextIO

_handlers: weakref.WeakSet[BufferedConsoleHandler] = weakref.WeakSet()
_STREAM_NAMES = ("stdout", "stderr")


class OrderedStream:
    """Stands in for `sys.stdout` / `sys.stderr`: pending console lines are written first.

    Everything but writing (fileno, isatty, encoding, buffer, ...) is the wrapped stream's.
    """

    def __init__(self, stream: Any) -> None:
        self.wrapped = stream

    def write(self, text: str) -> int:
        flush_console_lines()
        result: int = self.wrapped.write(text)
        return result

    def writelines(self, lines: Any) -> None:
        flush_console_lines()
        self.wrapped.writelines(lines)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)

    def __repr__(self) -> str:
        return f"OrderedStream({self.wrapped!r})"


def _order_terminal_writes() -> None:
    """Wrap sys.stdout and sys.stderr, unless they are wrapped already."""
    for name in _STREAM_NAMES:
        current = getattr(sys, name, None)
        if current is not None and not isinstance(current, OrderedStream):
            setattr(sys, name, OrderedStream(current))


def _restore_terminal_streams() -> None:
    """Put back the streams wrapped by `_order_terminal_writes` (if nobody replaced them)."""
    for name in _STREAM_NAMES:
        current = getattr(sys, name, None)
        if isinstance(current, OrderedStream):
            setattr(sys, name, current.wrapped)


def unwrapped(stream: Any) -> Any:
    """The stream an `OrderedStream` wraps, or `stream` itself."""
    return stream.wrapped if isinstance(stream, OrderedStream) else stream


class BufferedConsoleHandler(logging.StreamHandler):
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
        if not self._pending:
            # from now until these lines are written, other writes must wait for them
            _order_terminal_writes()
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
        """Write buffered lines (after what was printed before them), then flush the stream."""
        self.acquire()
        try:
            pending, self._pending = self._pending, []
            stream: Any = unwrapped(self.stream)
            if stream is None:
                return
            if pending:
                _flush_other_streams(stream)
                stream.write("\n".join(pending) + "\n")
            if hasattr(stream, "flush"):
                stream.flush()
        except Exception:
            pass
        finally:
            self.release()


def _flush_other_streams(own: Any) -> None:
    """Flush text printed before the pending lines, so it reaches the terminal first."""
    for name in _STREAM_NAMES:
        stream = unwrapped(getattr(sys, name, None))
        if stream is not None and stream is not own and hasattr(stream, "flush"):
            try:
                stream.flush()
            except Exception:  # a closed or broken stream must not lose the log lines
                pass


def flush_console_lines() -> None:
    """Write every console handler's pending lines now (cheap when there are none)."""
    for handler in list(_handlers):
        if handler._pending:
            handler.flush()


def flush_console() -> None:
    """Write every buffered console line now and unwrap the terminal streams (end of a
    flow run, exit)."""
    for handler in list(_handlers):
        handler.flush()
    _restore_terminal_streams()


atexit.register(flush_console)
