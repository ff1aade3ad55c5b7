"""Errors a shell operation raises, and the masking of secrets in what it says.

Prefect's `RuntimeError("PID 123 failed with return code 1.")` leaves users
guessing (prefect#13070). headwater's error names the failing command, its
exit code and the tail of its stderr, and keeps the captured output on the
exception (`.output`) for tools whose non-zero exit is not a failure. It is
still a RuntimeError, so Prefect-era `except RuntimeError` keeps working.
"""

from __future__ import annotations

import re
import shlex
import signal
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from headwater_shell._script import UnknownShellError

__all__ = [
    "CommandFailure",
    "CommandNotFoundError",
    "Masker",
    "ShellCommandError",
    "UnknownShellError",
]

MASK = "********"
EXIT_NOT_FOUND = 127
_NOT_FOUND = re.compile(r"(?:command not found: (\S+))|(?:([^\s:]+): (?:command )?not found)")


@dataclass
class CommandFailure:
    """One command that exited non-zero (or was stopped by a signal)."""

    index: int | None  # position in `commands`; None when the shell can't tell
    command: str
    exit_code: int
    stderr_tail: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if self.exit_code < 0:
            try:
                how = f"was killed by {signal.Signals(-self.exit_code).name}"
            except ValueError:
                how = f"was killed by signal {-self.exit_code}"
        else:
            how = f"failed with exit code {self.exit_code}"
        return f"Command {_short(self.command)!r} {how}"


class ShellCommandError(RuntimeError):
    """A command exited non-zero: which, with what code, and its last stderr lines."""

    def __init__(
        self,
        message: str,
        *,
        failures: Sequence[CommandFailure] = (),
        pid: int | None = None,
        output: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.failures = list(failures)
        self.pid = pid
        self.output = list(output)
        last = self.failures[-1] if self.failures else None
        self.command = last.command if last else None
        self.exit_code = last.exit_code if last else None
        self.return_code = self.exit_code
        self.stderr = "\n".join(last.stderr_tail) if last else ""


class CommandNotFoundError(ShellCommandError):
    """Exit status 127: the shell could not find the program a command names."""

    def __init__(self, message: str, *, program: str, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.program = program


class Masker:
    """Replaces secret values with `********` in any text shown to people."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # longest first, so a secret containing another is masked whole
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def __bool__(self) -> bool:
        return bool(self._secrets)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text


def not_found_program(failure: CommandFailure) -> str:
    """The program a 127 failure could not find: from the shell's message, else the
    command's first word."""
    for line in reversed(failure.stderr_tail):
        match = _NOT_FOUND.search(line)
        if match:
            return match.group(1) or match.group(2)
    try:
        words = shlex.split(failure.command)
    except ValueError:
        words = failure.command.split()
    return words[0] if words else failure.command


def build_error(
    failures: Sequence[CommandFailure],
    *,
    total: int,
    stopped: bool,
    pid: int | None,
    output: Sequence[str],
    mask: Masker,
) -> ShellCommandError:
    """The exception for a failed script (the last failure is the one that decided it)."""
    last = failures[-1]
    head = last.describe()
    if last.index is not None and total > 1:
        head += f" (command {last.index + 1} of {total}"
        head += "; later commands did not run)" if stopped and last.index + 1 < total else ")"
    parts = [head + "."]
    if len(failures) > 1:
        parts.append("Earlier failures: " + "; ".join(f.describe() for f in failures[:-1]) + ".")
    if last.stderr_tail:
        parts.append("stderr (last lines):\n" + "\n".join("  " + ln for ln in last.stderr_tail))
    if pid is not None:
        parts.append(f"(PID {pid})")
    message = mask("\n".join(parts))
    if last.exit_code == EXIT_NOT_FOUND:
        program = not_found_program(last)
        message = mask(f"command not found: {program}\n") + message
        return CommandNotFoundError(
            message, program=program, failures=failures, pid=pid, output=output
        )
    return ShellCommandError(message, failures=failures, pid=pid, output=output)


def _short(command: str, limit: int = 120) -> str:
    command = command.strip()
    return command if len(command) <= limit else command[: limit - 1] + "…"
