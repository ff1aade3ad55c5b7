"""Reading a running script's stdout and stderr: lines in arrival order, markers out.

One background thread per process waits on both pipes with a selector, so the
lines of the two streams are kept in the order they reached us, and a caller
that only triggered the process never lets a pipe fill up and stall it. Each
complete line is stored and handed to `on_line` (which streams it to the
logs). Marker lines written by the script (see `_script`) are taken out here
and turned into per-command bookkeeping: which command is running, its exit
status, and the tail of what it wrote to stderr.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable
from typing import IO

from headwater_shell._script import IS_WINDOWS, SENTINEL, parse_marker

STDOUT, STDERR = 1, 2
STDERR_TAIL_LINES = 20
_CHUNK = 65536

OnLine = Callable[[int, str], None]


class Output:
    """What one process wrote, and what the markers said about its commands."""

    def __init__(self, on_line: OnLine | None = None) -> None:
        self.lines: list[tuple[int, str]] = []  # (STDOUT | STDERR, text), arrival order
        self.current: int | None = None  # index of the command running now / last started
        self.status: dict[int, int] = {}  # command index -> exit status
        self.stderr_tails: dict[int | None, deque[str]] = {}
        self._on_line = on_line

    def stdout(self) -> list[str]:
        return [text for stream, text in list(self.lines) if stream == STDOUT]

    def all(self) -> list[str]:
        return [text for _, text in list(self.lines)]

    def stderr_tail(self, index: int | None) -> list[str]:
        return list(self.stderr_tails.get(index, ()))

    def add(self, stream: int, text: str) -> None:
        """One complete line (without its newline), possibly carrying a marker."""
        if SENTINEL in text:
            before, _, body = text.partition(SENTINEL)
            marker = parse_marker(body)
            if marker is not None:
                if before:  # the command's last line had no newline
                    self._append(stream, before)
                kind, index, status = marker
                if kind == "S":
                    self.current = index
                elif status is not None:
                    self.status[index] = status
                return
        self._append(stream, text)

    def _append(self, stream: int, text: str) -> None:
        self.lines.append((stream, text))
        if stream == STDERR:
            tail = self.stderr_tails.get(self.current)
            if tail is None:
                tail = self.stderr_tails[self.current] = deque(maxlen=STDERR_TAIL_LINES)
            tail.append(text)
        if self._on_line is not None:
            try:
                self._on_line(stream, text)
            except Exception:  # a logging failure must not stop the reading
                pass


def start_reader(
    stdout: IO[bytes], stderr: IO[bytes], output: Output, on_eof: Callable[[], None]
) -> threading.Thread:
    """Read both pipes into `output` on a daemon thread; call `on_eof` when both close."""
    target = _read_threads if IS_WINDOWS else _read_selector
    thread = threading.Thread(
        target=target,
        args=(stdout, stderr, output, on_eof),
        daemon=True,
        name="headwater-shell-reader",
    )
    thread.start()
    return thread


def _read_selector(
    stdout: IO[bytes], stderr: IO[bytes], output: Output, on_eof: Callable[[], None]
) -> None:
    import selectors

    try:
        with selectors.DefaultSelector() as sel:
            partial: dict[int, bytes] = {STDOUT: b"", STDERR: b""}
            sel.register(stdout.fileno(), selectors.EVENT_READ, STDOUT)
            sel.register(stderr.fileno(), selectors.EVENT_READ, STDERR)
            while sel.get_map():
                for key, _ in sel.select():
                    stream = key.data
                    data = os.read(key.fd, _CHUNK)
                    if not data:
                        sel.unregister(key.fd)
                        if partial[stream]:
                            output.add(stream, _decode(partial[stream]))
                            partial[stream] = b""
                        continue
                    *complete, partial[stream] = (partial[stream] + data).split(b"\n")
                    for raw in complete:
                        output.add(stream, _decode(raw))
    finally:
        stdout.close()
        stderr.close()
        on_eof()


def _read_threads(
    stdout: IO[bytes], stderr: IO[bytes], output: Output, on_eof: Callable[[], None]
) -> None:
    """Windows: no select() on pipes, so one blocking reader per pipe."""
    lock = threading.Lock()

    def pump(pipe: IO[bytes], stream: int) -> None:
        with pipe:
            for raw in iter(pipe.readline, b""):
                with lock:
                    output.add(stream, _decode(raw.rstrip(b"\n")))

    other = threading.Thread(target=pump, args=(stderr, STDERR), daemon=True)
    other.start()
    try:
        pump(stdout, STDOUT)
        other.join()
    finally:
        on_eof()


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").rstrip("\r")
