"""`ShellOperation`: shell commands as a block that runs, triggers, and is callable as a task.

Prefect's ShellOperation, with what its users asked for: `op()` runs it as a
tracked task returning stdout as one string; a failing command stops the
sequence and raises an error naming it (`continue_on_error=True` to go on);
`return_all=True` adds stderr to the result; a timeout, a cancelled flow,
`close()` or Ctrl-C ends the script's whole process tree; secret env values
never reach the logs. `return_all` and `continue_on_error`, which Prefect
silently ignores, are real fields here; unknown fields are rejected.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Annotated, Any, Union

from headwater.blocks.abstract import Operation
from pydantic import Field, PrivateAttr, SecretStr, field_validator, model_validator

from headwater_shell import _tree
from headwater_shell._process import ShellProcess, spawn
from headwater_shell.errors import Masker

__all__ = ["ShellOperation"]

_fallback_logger = logging.getLogger("headwater.shell")
_TASK_NAME_LIMIT = 48
# str first: pydantic would otherwise turn every plain string into a SecretStr
_EnvValue = Annotated[Union[str, SecretStr], Field(union_mode="left_to_right")]


class ShellOperation(Operation[list[str]]):
    """Runs shell commands, one script per run, in a process group of its own.

    Example:
        ```python
        from headwater import flow
        from headwater_shell import ShellOperation

        @flow
        def count_lines() -> int:
            out = ShellOperation(commands=["printf 'a\\nb\\n' | wc -l"])()
            return int(out.split()[0])

        assert count_lines() == 2
        ```
    """

    _block_type_name = "Shell Operation"
    _documentation_url = "https://headwater.dev/shell/"
    _description = (
        "Run shell commands as a tracked, killable job; its output goes to the run's logs."
    )

    commands: list[str] = Field(description="Commands run in order, as one shell script.")
    stream_output: bool = Field(default=True, description="Log each output line as it arrives.")
    env: dict[str, _EnvValue] = Field(
        default_factory=dict, description="Environment variables, set over the current ones."
    )
    working_dir: Union[Path, None] = Field(
        default=None, description="Directory the commands start in (must exist)."
    )
    shell: Union[str, None] = Field(
        default=None,
        description="Shell to run the script with (default bash; powershell on Windows).",
    )
    extension: Union[str, None] = Field(
        default=None, description="Script file suffix (default .sh; .ps1 for PowerShell)."
    )
    return_all: bool = Field(
        default=False, description="Include stderr lines in the result, in the order they arrived."
    )
    continue_on_error: bool = Field(
        default=False,
        description="Run every command even after one fails; raise only if the last one fails.",
    )
    secret_env: list[str] = Field(
        default_factory=list, description="Env keys whose values are masked in logs and errors."
    )

    _processes: list[ShellProcess] = PrivateAttr(default_factory=list)

    # --- validation --------------------------------------------------------------
    @model_validator(mode="before")
    @classmethod
    def _mark_secret_env(cls, data: Any) -> Any:
        """Keys listed in `secret_env` become SecretStr (encrypted when saved), and keys
        given as SecretStr join `secret_env` (so they stay secret after a load)."""
        if not isinstance(data, dict) or not isinstance(data.get("env"), dict):
            return data
        env = data["env"]
        declared = data.get("secret_env") or []
        if not isinstance(declared, (list, tuple)):
            return data
        keys = set(declared) | {k for k, v in env.items() if isinstance(v, SecretStr)}
        if not keys:
            return data
        return {
            **data,
            "secret_env": sorted(keys),
            "env": {
                k: SecretStr(v) if k in keys and isinstance(v, str) else v for k, v in env.items()
            },
        }

    @field_validator("commands")
    @classmethod
    def _commands_not_empty(cls, commands: list[str]) -> list[str]:
        if not commands:
            raise ValueError("commands is empty: give at least one command to run")
        return commands

    @field_validator("working_dir")
    @classmethod
    def _working_dir_exists(cls, path: Path | None) -> Path | None:
        if path is not None and not path.is_dir():
            what = "is not a directory" if path.exists() else "does not exist"
            raise ValueError(f"working_dir {str(path)!r} {what}")
        return path

    # --- running -------------------------------------------------------------------
    def trigger(self, **open_kwargs: Any) -> ShellProcess:
        """Start the commands and return at once with the `ShellProcess`."""
        process = spawn(
            self.commands,
            shell=self.shell,
            extension=self.extension,
            env={k: _plain(v) for k, v in self.env.items()},
            cwd=self.working_dir,
            fail_fast=not self.continue_on_error,
            return_all=self.return_all,
            stream_output=self.stream_output,
            logger=_logger(),
            mask=self._masker(),
            **open_kwargs,
        )
        self._processes.append(process)
        return process

    def run(self, **open_kwargs: Any) -> list[str]:
        """Run to the end and return the output lines (stdout; with stderr if `return_all`)."""
        process = self.trigger(**open_kwargs)
        process.wait_for_completion()
        return process.fetch_result()

    async def atrigger(self, **open_kwargs: Any) -> ShellProcess:
        return self.trigger(**open_kwargs)

    async def arun(self, **open_kwargs: Any) -> list[str]:
        process = self.trigger(**open_kwargs)
        await process.await_for_completion()
        return await process.afetch_result()

    def __call__(self) -> str:
        """Run as a tracked task (inside a flow or on its own); all output as one string."""
        return _task_for(self._task_name())(self)  # type: ignore[no-any-return]

    def close(self) -> None:
        """End every script this operation started that is still running, with its children."""
        processes, self._processes = self._processes, []
        for process in processes:
            if process.running or _tree.group_alive(process.pid):
                process.kill()

    # --- helpers --------------------------------------------------------------------
    def _masker(self) -> Masker:
        return Masker(v.get_secret_value() for v in self.env.values() if isinstance(v, SecretStr))

    def _task_name(self) -> str:
        first = " ".join(self.commands[0].split())
        if len(first) > _TASK_NAME_LIMIT:
            first = first[: _TASK_NAME_LIMIT - 1] + "…"
        if len(self.commands) > 1:
            first += f" (+{len(self.commands) - 1})"
        for banned in ("/", "%", "&", ">", "<"):  # characters task names may not hold
            first = first.replace(banned, " ")
        first = first.replace("'", "").replace('"', "")  # quotes make log lines hard to read
        return " ".join(first.split()) or "ShellOperation"


def _run_operation(operation: ShellOperation) -> str:
    """The body of `op()`'s task run."""
    return "\n".join(operation.run())


@functools.lru_cache(maxsize=256)
def _task_for(name: str) -> Any:
    """One Task per distinct name, built once: `op()` costs a task run, not a Task build."""
    from headwater.tasks import Task

    return Task(_run_operation, name=name)


def _plain(value: SecretStr | str) -> str:
    return value.get_secret_value() if isinstance(value, SecretStr) else value


def _logger() -> logging.Logger | logging.LoggerAdapter[Any]:
    """The current run's logger inside a run; else `headwater.shell` on the console."""
    from headwater.context import FlowRunContext, TaskRunContext

    if TaskRunContext.get() is not None or FlowRunContext.get() is not None:
        from headwater.logging import get_run_logger

        return get_run_logger()
    from headwater.logging import configure_logging

    configure_logging()
    return _fallback_logger
