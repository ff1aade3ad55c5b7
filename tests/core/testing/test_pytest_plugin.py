"""The fixtures shipped through the pytest11 entry point."""

from __future__ import annotations

import os
import subprocess
import sys

from headwater.plugins import get_plugin_manager, hookimpl
from headwater.task_runners.registry import task_runner_classes


def test_headwater_home_points_the_store_at_a_temp_dir(headwater_home):
    assert os.environ["HEADWATER_HOME"] == str(headwater_home)
    assert headwater_home.is_dir()


def test_plugin_manager_is_fresh_and_swapped_in(plugin_manager):
    assert get_plugin_manager() is plugin_manager
    assert [info.name for info in plugin_manager.plugin_info()] == ["headwater"]


def test_register_plugin_adds_hookimpls(register_plugin, plugin_manager):
    import click

    @click.command("hello-test")
    def hello() -> None:
        click.echo("hi")

    class Plugin:
        @hookimpl
        def headwater_cli_commands(self):
            return [hello]

    register_plugin(Plugin(), name="hello")
    from headwater.cli.plugin_commands import cli_commands

    assert cli_commands() == [hello]
    assert "hello" in plugin_manager.list_name_plugin()[-1]


def test_fixture_state_does_not_leak(plugin_manager):
    from headwater.cli.plugin_commands import cli_commands

    assert cli_commands() == []
    assert "inline" not in task_runner_classes()


def test_pytest_plugin_imports_cheaply():
    code = (
        "import sys, headwater.testing.pytest_plugin\n"  # pytest itself imports pluggy
        "heavy = {'pydantic', 'cloudpickle', 'headwater.flows', 'headwater.history'}\n"
        "loaded = heavy & set(sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
