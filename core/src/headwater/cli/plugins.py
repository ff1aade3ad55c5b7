"""`headwater plugins`: every installed plugin, its version, what it registers.

Failed plugins are listed with their error rather than aborting the command,
so the exit code is 0 even when one is broken: this is the tool for finding out
*why* a plugin does not work.
"""

from __future__ import annotations

import json
import warnings

import click


def _registers_text(registers: dict[str, list[str]]) -> str:
    return "; ".join(f"{kind}: {', '.join(names)}" for kind, names in registers.items()) or "-"


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
def plugins_command(as_json: bool) -> None:
    """List installed plugins, their version and status, and what they register."""
    from headwater.blocks.registry import BLOCK_TYPES, OPERATIONS
    from headwater.cli.plugin_commands import CLI_COMMANDS
    from headwater.plugins.info import collect_plugin_info
    from headwater.plugins.manager import HeadwaterPluginWarning
    from headwater.task_runners.registry import TASK_RUNNERS

    with warnings.catch_warnings():
        # failures are part of the output; don't also print them as warnings
        warnings.simplefilter("ignore", HeadwaterPluginWarning)
        infos = collect_plugin_info(kinds=(TASK_RUNNERS, BLOCK_TYPES, OPERATIONS, CLI_COMMANDS))

    if as_json:
        click.echo(json.dumps([info.to_dict() for info in infos], indent=2))
        return

    rows = [
        (info.name, info.version or "-", info.status, _registers_text(info.registers))
        for info in infos
    ]
    header = ("NAME", "VERSION", "STATUS", "REGISTERS")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
    for index, row in enumerate([header, *rows]):
        cells = [cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)]
        click.echo("  ".join([*cells, row[3]]).rstrip())
        if index and infos[index - 1].error:
            click.echo(f"  error: {infos[index - 1].error}")
