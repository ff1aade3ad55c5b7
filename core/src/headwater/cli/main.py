"""`headwater`: the root command group, assembled from core's groups and plugins.

Adding a core command group is one line in `CORE_COMMANDS`. Installed plugins
add theirs through the `headwater_cli_commands` hook; a broken plugin gives a
warning and the rest of the CLI keeps working.
"""

from __future__ import annotations

import importlib
import os
import warnings

import click

#: "module:attribute" of each core command or group, in `--help` order.
CORE_COMMANDS: list[str] = [
    "headwater.cli.version:version_command",
    "headwater.cli.flow_runs:flow_run_group",
    "headwater.cli.task_runs:task_run_group",
    "headwater.cli.plugins:plugins_command",
    "headwater.cli.blocks:block_group",
    "headwater.cli.events:events_group",
    "headwater.cli.automations:automation_group",
    "headwater.cli.profiles:profile_group",
    "headwater.cli.config:config_group",
    "headwater.cli.variables:variable_group",
    "headwater.cli.concurrency:global_concurrency_limit_group",
    "headwater.cli.concurrency:concurrency_limit_group",
    "headwater.cli.concurrency:gcl_group",
    "headwater.cli.artifacts:artifact_group",
    "headwater.cli.assets:asset_group",
]


HELP = "headwater: run and observe Python workflows (Prefect's API, no server needed)."

#: commands a package adds, by name: (distribution, what to install). Typing one whose
#: package is absent says how to get it instead of "No such command".
PLUGIN_COMMANDS: dict[str, tuple[str, str]] = {
    "server": ("headwater-server", 'pip install "headwater[server]"'),
}


class _RootGroup(click.Group):
    """The root group: a known plugin command that is not installed names its package."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in PLUGIN_COMMANDS:
            return _missing_plugin_command(cmd_name, *PLUGIN_COMMANDS[cmd_name])
        return command


def _missing_plugin_command(name: str, distribution: str, install: str) -> click.Command:
    def explain() -> None:
        raise click.ClickException(
            f"`headwater {name}` comes with the {distribution} package, which is not "
            f"installed in this environment: {install}"
        )

    return click.Command(
        name,
        callback=explain,
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
        add_help_option=False,
    )


def _load(path: str) -> click.Command | None:
    module_name, _, attribute = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        if exc.name == module_name:  # not written / not shipped yet
            return None
        raise
    command: click.Command = getattr(module, attribute)
    return command


def _plugin_commands() -> list[click.Command]:
    from headwater.cli.plugin_commands import cli_commands

    try:
        found = cli_commands()
    except Exception as exc:  # a plugin problem must not break the core CLI
        warnings.warn(f"headwater: could not load plugin CLI commands: {exc!r}", stacklevel=2)
        return []
    return [c for c in found if isinstance(c, click.Command)]


def _use_profile(ctx: click.Context, param: click.Parameter, name: str | None) -> None:
    """`headwater --profile NAME ...`: NAME is active for this command and its subprocesses."""
    if not name:
        return
    from headwater import settings
    from headwater.profiles import ProfileError

    try:
        settings.apply_profile(name)
    except ProfileError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None
    os.environ["HEADWATER_PROFILE"] = name


def build_cli() -> click.Group:
    """The root group with core commands and every installed plugin's commands."""
    cli = _RootGroup(
        "headwater",
        help=HELP,
        context_settings={"help_option_names": ["-h", "--help"]},
        params=[
            click.Option(
                ["-p", "--profile"],
                help="Run this command with profile NAME active (default: profiles.toml's).",
                metavar="NAME",
                expose_value=False,
                is_eager=True,
                callback=_use_profile,
            )
        ],
    )
    for path in CORE_COMMANDS:
        command = _load(path)
        if command is not None and command.name not in cli.commands:
            cli.add_command(command)
    for command in _plugin_commands():
        if command.name in cli.commands:
            warnings.warn(
                f"headwater: plugin command {command.name!r} clashes with an existing "
                "command and was skipped",
                stacklevel=2,
            )
            continue
        cli.add_command(command)
    return cli


def main() -> None:
    """Console-script entry point."""
    build_cli()(prog_name="headwater")
