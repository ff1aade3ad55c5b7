"""The terminal shows log lines and printed text in the order they were produced."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import textwrap

from headwater.logging import console
from headwater.logging.console import BufferedConsoleHandler, OrderedStream, flush_console

INTERLEAVED = textwrap.dedent(
    """
    import sys
    from headwater import flow, task, get_run_logger

    @task
    def step(i):
        get_run_logger().info(f"log {i}")
        print(f"print {i}")
        sys.stderr.write(f"stderr {i}\\n")
        return i

    @flow
    def interleaved():
        print("print before")
        get_run_logger().info("log before")
        for i in range(3):
            step(i)
        get_run_logger().info("log after")
        print("print after")

    print("print first")
    interleaved()
    print("print last")
    """
)


def _shown(output: str) -> list[str]:
    """Each line of output: a log line as its message, any other line as it is."""
    return [line.split(" - ", 1)[1] if " | " in line else line for line in output.splitlines()]


def test_prints_and_log_lines_keep_their_order_in_one_pipe(tmp_path):
    """stdout and stderr into the same pipe, as `python flow.py 2>&1 | less` does."""
    proc = subprocess.run(
        [sys.executable, "-c", INTERLEAVED],
        cwd=tmp_path,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout
    shown = _shown(proc.stdout)
    assert shown[1].startswith("Beginning flow run"), proc.stdout
    expected = ["print first", shown[1], "print before", "log before"]
    for i in range(3):
        expected += [f"log {i}", f"print {i}", f"stderr {i}", "Finished in state Completed()"]
    expected += ["log after", "print after", "Finished in state Completed()", "print last"]
    assert shown == expected, proc.stdout


class _Terminal(io.RawIOBase):
    """One file both streams write to, as a pipe or tty shared by stdout and stderr."""

    def __init__(self) -> None:
        self.received = b""

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.received += bytes(data)
        return len(data)


def test_buffered_lines_and_block_buffered_stdout_share_one_order(monkeypatch):
    terminal = _Terminal()
    # stdout into a pipe is block-buffered; the console's stream is line-buffered stderr
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BufferedWriter(terminal)))
    stderr = io.TextIOWrapper(io.BufferedWriter(terminal), line_buffering=True)
    handler = BufferedConsoleHandler(stderr, interval=60)  # the flusher never fires here
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("headwater.test_console_order")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        print("one")
        logger.info("two")
        assert isinstance(sys.stdout, OrderedStream)
        print("three")  # writes "two" first, and "one" before it
        assert terminal.received == b"one\ntwo\n"
        logger.info("four")
        logger.warning("five")  # written at once, after what was printed before
        print("six")
        flush_console()
        assert not isinstance(sys.stdout, OrderedStream)  # unwrapped at the end of a flow run
        sys.stdout.flush()
        assert terminal.received.decode().split() == ["one", "two", "three", "four", "five", "six"]
    finally:
        logger.removeHandler(handler)
        console._handlers.discard(handler)
        console._restore_terminal_streams()


def test_ordered_stream_is_the_wrapped_stream_for_everything_but_writing():
    inner = io.StringIO()
    wrapped = OrderedStream(inner)
    assert wrapped.getvalue() == "" and wrapped.writable()
    assert wrapped.write("abc") == 3
    wrapped.writelines(["d", "e"])
    assert inner.getvalue() == "abcde"


def test_restoring_leaves_a_stream_someone_else_installed_alone(monkeypatch):
    theirs = io.StringIO()
    monkeypatch.setattr(sys, "stdout", theirs)
    console._restore_terminal_streams()
    assert sys.stdout is theirs


def test_log_prints_still_captures_a_print_to_the_stdout_saved_before_the_run():
    from headwater import flow, get_run_logger
    from headwater.history import get_store

    saved = sys.stdout

    @flow(log_prints=True)
    def saves_stdout() -> None:
        get_run_logger().info("a line is pending, so sys.stdout is wrapped now")
        print("to the saved stdout", file=saved)

    saves_stdout()
    store = get_store()
    store.flush()
    (run,) = store.read_flow_runs(flow_name="saves-stdout")
    assert "to the saved stdout" in [entry["message"] for entry in store.read_logs(run["id"])]
