"""headwater-shell: run shell commands from flows (Prefect's prefect-shell, after the rename).

    from headwater_shell import ShellOperation, shell_run_command

Names load on first use, so `import headwater_shell` (and the plugin listing)
stays cheap.
"""

from __future__ import annotations

from headwater.utilities.lazy import lazy_exports

__version__ = "0.1.0"

__all__ = [
    "CommandNotFoundError",
    "ShellCommandError",
    "ShellOperation",
    "ShellProcess",
    "UnknownShellError",
    "__version__",
    "shell_run_command",
]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from headwater_shell._process import ShellProcess
    from headwater_shell.commands import shell_run_command
    from headwater_shell.errors import CommandNotFoundError, ShellCommandError, UnknownShellError
    from headwater_shell.operations import ShellOperation
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "ShellOperation": "headwater_shell.operations",
            "ShellProcess": "headwater_shell._process",
            "shell_run_command": "headwater_shell.commands",
            "ShellCommandError": "headwater_shell.errors",
            "CommandNotFoundError": "headwater_shell.errors",
            "UnknownShellError": "headwater_shell.errors",
        },
    )
