"""headwater plugin registration: ShellOperation as an operation and a block type.

Named by the `headwater` entry point; imports nothing heavy until a hook is called.
"""

from __future__ import annotations

from typing import Any

from headwater.plugins import hookimpl


@hookimpl
def headwater_operations() -> list[type[Any]]:
    from headwater_shell.operations import ShellOperation

    return [ShellOperation]


@hookimpl
def headwater_block_types() -> list[type[Any]]:
    from headwater_shell.operations import ShellOperation

    return [ShellOperation]
