"""Starting a script and following it to the end: the `ShellProcess` handle.

`spawn()` runs the script (`shell -c script` for POSIX shells, else a temp
file, as Prefect does) with the shell in a new session (its own process group), with a reader thread collecting its output.
`ShellProcess` is what `ShellOperation.trigger()` returns (Prefect's names:
`pid`, `return_code`, `wait_for_completion()`, `fetch_result()` and their
async twins). Waiting wakes every `POLL_SECONDS`, because headwater's
timeouts raise an exception asynchronously in the waiting thread, which only
lands between Python instructions; whatever ends a wait early (timeout,
cancellation, KeyboardInterrupt) kills the script's whole process tree before
it propagates.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import subprocess
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from headwater.blocks.abstract import JobRun

from headwater_shell import _tree
from headwater_shell._reader import STDERR, Output, start_reader
from headwater_shell._script import IS_WINDOWS, build_script, resolve_shell
from headwater_shell.errors import CommandFailure, Masker, build_error

POLL_SECONDS = 0.05
#: scripts longer than this go to a temp file instead of `-c` (argument size limits)
INLINE_SCRIPT_LIMIT = 100_000
_STREAM_NAMES = {1: "stdout", STDERR: "stderr"}


class _Popen(subprocess.Popen):
    """Registers the child for killing the moment it exists, inside Popen itself.

    A KeyboardInterrupt (or a timeout's async exception) can land while Popen
    is still finishing, after the fork: Popen then raises and the caller never
    gets the object, but the tree is already registered, so `spawn` (or the
    exit handler) still kills it.
    """

    def _execute_child(self, *args: Any, **kwargs: Any) -> None:
        try:
            super()._execute_child(*args, **kwargs)  # type: ignore[misc]
        finally:
            if getattr(self, "pid", None):
                _tree.register(self)
                _started.last = self


_started = threading.local()


class ShellProcess(JobRun[list[str]]):
    """A started script: wait for it, read what it wrote, or end it (and its children)."""

    def __init__(
        self,
        proc: subprocess.Popen[bytes],
        output: Output,
        commands: Sequence[str],
        *,
        posix: bool,
        fail_fast: bool,
        return_all: bool,
        mask: Masker,
        logger: logging.Logger | logging.LoggerAdapter[Any],
    ) -> None:
        super().__init__()
        self._proc = proc
        self._output = output
        self._commands = list(commands)
        self._posix = posix
        self._fail_fast = fail_fast
        self._return_all = return_all
        self._mask = mask
        self._logger = logger
        self._done = threading.Event()
        self._callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._checked = False

    # --- Prefect's surface --------------------------------------------------------
    @property
    def pid(self) -> int:
        return self._proc.pid

    @property
    def return_code(self) -> int | None:
        """The script's exit status; None while it runs."""
        return self._proc.returncode if self._done.is_set() else None

    def wait_for_completion(self) -> None:
        """Wait for the script to end; raise `ShellCommandError` if it failed."""
        try:
            while not self._done.wait(POLL_SECONDS):
                pass
        except BaseException:
            self.kill()
            raise
        self._check()

    async def await_for_completion(self) -> None:
        """The async twin of `wait_for_completion()`; cancelling it kills the tree."""
        if not self._done.is_set():
            loop = asyncio.get_running_loop()
            woken: asyncio.Future[None] = loop.create_future()

            def resolve() -> None:
                if not woken.done():
                    woken.set_result(None)

            def wake() -> None:
                with contextlib.suppress(RuntimeError):  # loop already closed
                    loop.call_soon_threadsafe(resolve)

            self._on_done(wake)
            try:
                await woken
            except BaseException:
                self.kill()
                raise
        self._check()

    def fetch_result(self) -> list[str]:
        """The lines written so far: stdout, or stdout and stderr interleaved with
        `return_all`. Never raises for a failed script (its output is still useful)."""
        return self._output.all() if self._return_all else self._output.stdout()

    async def afetch_result(self) -> list[str]:
        return self.fetch_result()

    # --- headwater's additions ------------------------------------------------------
    @property
    def running(self) -> bool:
        return not self._done.is_set()

    def stderr_lines(self) -> list[str]:
        return [text for stream, text in list(self._output.lines) if stream == STDERR]

    def kill(self, grace: float = _tree.KILL_GRACE_SECONDS) -> None:
        """End the script and everything it started: SIGTERM the group, then SIGKILL."""
        _tree.kill_tree(self._proc, grace)

    close = kill

    def __repr__(self) -> str:
        return f"ShellProcess(pid={self.pid}, return_code={self.return_code})"

    # --- internals ----------------------------------------------------------------
    def _finish(self, script: Path | None) -> None:
        """Reader thread, both pipes closed: wait for the shell, clean up, wake waiters."""
        try:
            self._proc.wait()
            _tree.finished(self._proc)
        finally:
            if script is not None:
                with contextlib.suppress(OSError):
                    script.unlink()
            with self._lock:
                self._done.set()
                callbacks, self._callbacks = self._callbacks, []
            for callback in callbacks:
                callback()

    def _on_done(self, callback: Callable[[], None]) -> None:
        with self._lock:
            if not self._done.is_set():
                self._callbacks.append(callback)
                return
        callback()

    def _failures(self) -> list[CommandFailure]:
        out, rc, commands = self._output, self._proc.returncode, self._commands
        if not self._posix:
            if rc == 0:
                return []
            return [CommandFailure(None, " && ".join(commands), rc, out.stderr_tail(None))]
        failures = [
            CommandFailure(i, commands[i], status, out.stderr_tail(i))
            for i, status in sorted(out.status.items())
            if status != 0 and i < len(commands)
        ]
        if rc != 0 and out.current is not None and out.current not in out.status:
            # the script ended inside a command: `exit N`, a signal, or killed by us
            i = out.current
            failures.append(CommandFailure(i, commands[i], rc, out.stderr_tail(i)))
        elif rc != 0 and not failures:
            failures.append(CommandFailure(None, "the script", rc, out.stderr_tail(None)))
        return failures

    def _check(self) -> None:
        failures = self._failures()
        if not failures:
            return
        if self._proc.returncode != 0:
            raise build_error(
                failures,
                total=len(self._commands),
                stopped=self._output.current is not None
                and self._output.current + 1 < len(self._commands),
                pid=self.pid,
                output=self.fetch_result(),
                mask=self._mask,
            )
        if not self._checked:  # continue_on_error and the last command succeeded
            self._checked = True
            listed = "; ".join(f.describe() for f in failures)
            self._logger.warning(
                self._mask(
                    f"PID {self.pid}: {len(failures)} of {len(self._commands)} commands failed "
                    f"(continue_on_error=True, the last succeeded): {listed}"
                )
            )


def spawn(
    commands: Sequence[str],
    *,
    shell: str | None = None,
    extension: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    fail_fast: bool = True,
    return_all: bool = False,
    helper_command: str | None = None,
    stream_output: bool = True,
    stream_level: int = logging.INFO,
    logger: logging.Logger | logging.LoggerAdapter[Any],
    mask: Masker | None = None,
    **popen_kwargs: Any,
) -> ShellProcess:
    """Start `commands` as one script; returns at once with a `ShellProcess`."""
    if not commands:
        raise ValueError("no commands to run: pass at least one command")
    resolved = resolve_shell(shell, extension)
    if cwd is not None:
        _check_dir(cwd)
    mask = mask or Masker()
    text = build_script(
        list(commands), resolved, fail_fast=fail_fast, helper_command=helper_command
    )
    script: Path | None = None
    if resolved.posix and len(text) < INLINE_SCRIPT_LIMIT:
        # `sh -c script`: the shell semantics of Prefect's temp file, without the
        # file (creating and deleting one costs ~0.5 ms on some disks)
        argv = [resolved.path, "-c", text, f"headwater-script{resolved.extension}"]
    else:
        fd, name = tempfile.mkstemp(prefix="headwater-", suffix=resolved.extension)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        script = Path(name)
        argv = [resolved.path, name]
    full_env = {**os.environ, **env} if env else None
    if IS_WINDOWS:  # untested branch
        popen_kwargs.setdefault("creationflags", subprocess.CREATE_NEW_PROCESS_GROUP)  # type: ignore[attr-defined]
    else:
        popen_kwargs.setdefault("start_new_session", True)
    _tree.before_spawn()
    proc: subprocess.Popen[bytes] | None = None
    _started.last = None
    try:  # one block, so an exception landing anywhere after the start kills the tree
        proc = _Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env=full_env,
            **popen_kwargs,
        )
        on_line = _streamer(proc.pid, logger, stream_level, mask) if stream_output else None
        output = Output(on_line)
        handle = ShellProcess(
            proc,
            output,
            commands,
            posix=resolved.posix,
            fail_fast=fail_fast,
            return_all=return_all,
            mask=mask,
            logger=logger,
        )
        assert proc.stdout is not None and proc.stderr is not None
        start_reader(proc.stdout, proc.stderr, output, lambda: handle._finish(script))
    except BaseException:
        proc = proc or _started.last
        if proc is not None:
            _tree.kill_tree(proc)
        if script is not None:
            script.unlink(missing_ok=True)
        raise
    return handle


def _streamer(
    pid: int, logger: logging.Logger | logging.LoggerAdapter[Any], level: int, mask: Masker
) -> Callable[[int, str], None]:
    def on_line(stream: int, text: str) -> None:
        logger.log(level, f"PID {pid} {_STREAM_NAMES[stream]}: {mask(text) if mask else text}")

    return on_line


def _check_dir(cwd: str | os.PathLike[str]) -> None:
    path = Path(cwd)
    if not path.exists():
        raise FileNotFoundError(f"working directory does not exist: {str(path)!r}")
    if not path.is_dir():
        raise NotADirectoryError(f"working directory is not a directory: {str(path)!r}")
