"""What a shell operation runs: the shell, and the script built from the commands.

Prefect joins the commands into one script, so `cd` in one command carries
into the next, but only the last command's exit status counts. headwater keeps
the single script and adds fail-fast: after each command the script writes a
marker line to stderr with the command's index and exit status, and (unless
`continue_on_error`) exits at the first non-zero status. The reader strips the
markers, so users never see them; they also tell which stderr lines belong to
which command, for error messages.

Shells that do not speak POSIX `$?` (PowerShell, cmd, fish, an interpreter
used as a "shell") get Prefect's plain script: one exit status for the lot.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass

#: Start of a marker line; ASCII "record separator", which real output rarely holds.
SENTINEL = "\x1ehw:"
POSIX_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "busybox", "yash"})
IS_WINDOWS = sys.platform == "win32"


class UnknownShellError(ValueError):
    """The shell asked for is not installed (not on PATH)."""


@dataclass(frozen=True)
class Shell:
    """A resolved shell: the executable to run and how to write scripts for it."""

    name: str  # as the user gave it (or the default)
    path: str  # absolute path of the executable
    extension: str  # script file suffix, with its dot
    posix: bool  # speaks `$?`: per-command markers and fail-fast


def default_shell() -> str:
    return "powershell" if IS_WINDOWS else "bash"


def resolve_shell(shell: str | None, extension: str | None) -> Shell:
    """Find the shell's executable now, so a typo fails before anything runs."""
    name = shell or default_shell()
    path = shutil.which(name)
    if path is None:
        raise UnknownShellError(
            f"unknown shell {name!r}: no executable of that name on PATH "
            "(pass shell='bash', 'sh', 'zsh', ... or a full path)"
        )
    base = os.path.basename(name).lower()
    for suffix in (".exe", ".cmd", ".bat"):
        base = base.removesuffix(suffix)
    is_powershell = base in ("powershell", "pwsh")
    ext = extension or (".ps1" if is_powershell else ".bat" if base == "cmd" else ".sh")
    if not ext.startswith("."):
        ext = "." + ext
    return Shell(name, path, ext, posix=base in POSIX_SHELLS and not IS_WINDOWS)


def build_script(
    commands: list[str], shell: Shell, *, fail_fast: bool, helper_command: str | None = None
) -> str:
    """The script text for `commands` in `shell`.

    POSIX shells: each command verbatim on its own lines, bracketed by
    `printf` markers on stderr (`S i` before, `E i status` after); with
    `fail_fast`, `exit` at the first failure. The script's own exit status is
    the last command's, as in Prefect.
    """
    prefix = [helper_command] if helper_command else []
    if not shell.posix:
        lines = prefix + list(commands)
        if shell.extension == ".ps1":
            lines.append("Exit $LastExitCode")
        return os.linesep.join(lines) + os.linesep
    out = [*prefix, "__hw_rc=0"]
    for i, command in enumerate(commands):
        out.append(f"printf '\\036hw:S {i}\\n' >&2")
        out.append(command)
        out.append("__hw_rc=$?")
        out.append(f"printf '\\036hw:E {i} %d\\n' \"$__hw_rc\" >&2")
        if fail_fast:
            out.append('[ "$__hw_rc" -eq 0 ] || exit "$__hw_rc"')
    out.append('exit "$__hw_rc"')
    return "\n".join(out) + "\n"


def parse_marker(text: str) -> tuple[str, int, int | None] | None:
    """`("S", i, None)` or `("E", i, status)` for a marker body, None if malformed."""
    parts = text.split()
    try:
        if len(parts) == 2 and parts[0] == "S":
            return "S", int(parts[1]), None
        if len(parts) == 3 and parts[0] == "E":
            return "E", int(parts[1]), int(parts[2])
    except ValueError:
        return None
    return None
