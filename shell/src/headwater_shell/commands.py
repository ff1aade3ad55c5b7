"""`shell_run_command`: prefect-shell's one-command task, same parameters and results.

It is an async task, as in Prefect; unlike Prefect, calling it from a sync
flow just works (headwater runs an async task to completion when its caller
is sync), instead of returning an un-awaited coroutine. Its script runs the
same way as a `ShellOperation`'s (own process group, tree killed on timeout
or cancellation); stdout and stderr lines are logged at `stream_level`.

`ShellOperation` and `ShellProcess` are importable from here too, where
Prefect keeps them (`prefect_shell.commands`).
"""

from __future__ import annotations

import logging
import os

from headwater.tasks import task

from headwater_shell._process import ShellProcess
from headwater_shell.operations import ShellOperation

__all__ = ["ShellOperation", "ShellProcess", "shell_run_command"]


@task
async def shell_run_command(
    command: str,
    env: dict[str, str] | None = None,
    helper_command: str | None = None,
    shell: str | None = None,
    extension: str | None = None,
    return_all: bool = False,
    stream_level: int = logging.INFO,
    cwd: str | bytes | os.PathLike[str] | None = None,
) -> list[str] | str:
    """Run `command` in a shell; return its last stdout line, or all of them with `return_all`.

    Raises `ShellCommandError` (a RuntimeError) naming the exit code and stderr
    when the command fails.
    """
    from headwater.logging import get_run_logger

    from headwater_shell._process import spawn

    if isinstance(cwd, bytes):
        cwd = os.fsdecode(cwd)
    process = spawn(
        [command],
        shell=shell,
        extension=extension,
        env=env,
        cwd=cwd,
        helper_command=helper_command,
        stream_level=stream_level,
        logger=get_run_logger(),
    )
    await process.await_for_completion()
    lines = process.fetch_result()
    if return_all:
        return lines
    return lines[-1] if lines else ""
