"""Core's own registrations, made through the same hooks as any plugin.

Dogfooding the hooks means every hook has a real implementation from day one.
This module names no class: each hook returns the built-ins that the kind's
owner declared (`Kind.builtins`), so the registry stays below what it registers.
"""

from __future__ import annotations

from typing import Any

from headwater.plugins import hookimpl
from headwater.plugins.kinds import kind_for_hook


def _builtins(hook: str) -> list[Any]:
    kind = kind_for_hook(hook)
    return kind.builtins() if kind is not None else []


@hookimpl
def headwater_task_runners() -> list[Any]:
    return _builtins("headwater_task_runners")


@hookimpl
def headwater_block_types() -> list[Any]:
    return _builtins("headwater_block_types")


@hookimpl
def headwater_operations() -> list[Any]:
    return _builtins("headwater_operations")


@hookimpl
def headwater_cli_commands() -> list[Any]:
    return _builtins("headwater_cli_commands")
