"""Command groups that plugins add to `headwater` (the `headwater_cli_commands` hook).

The CLI owns this plugin kind (the registry below it knows no click class):
each registration must be a named `click.Command`.
"""

from __future__ import annotations

from typing import Any

import click

from headwater.plugins.kinds import Kind, PluginError, register_kind
from headwater.plugins.registry import get_plugin_manager


def _cli_command_key(item: Any) -> str:
    if not isinstance(item, click.Command):
        raise PluginError(f"expected a click.Command, got {item!r}")
    if not item.name:
        raise PluginError(f"CLI command {item!r} has no name")
    return item.name


CLI_COMMANDS = register_kind(Kind("cli_commands", "headwater_cli_commands", _cli_command_key))


def cli_commands() -> list[click.Command]:
    """click commands contributed by plugins, in load order."""
    return list(get_plugin_manager().collect(CLI_COMMANDS).values())
