"""headwater-shell: run shell commands from flows (Prefect's prefect-shell, after the rename).

    from headwater_shell import ShellOperation, shell_run_command

Names load on first use, so `import headwater_shell` (and the plugin listing)
stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "ShellOperation": "headwater_shell.operations",
    "ShellProcess": "headwater_shell._process",
    "shell_run_command": "headwater_shell.commands",
    "ShellCommandError": "headwater_shell.errors",
    "CommandNotFoundError": "headwater_shell.errors",
    "UnknownShellError": "headwater_shell.errors",
}

__all__ = [*sorted(_EXPORTS), "__version__"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'headwater_shell' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
