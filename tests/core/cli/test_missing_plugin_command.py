"""`headwater server ...` without headwater-server installed names the package to install."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from headwater.cli import main


@pytest.fixture
def no_plugin_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(main, "_plugin_commands", lambda: [])


@pytest.mark.usefixtures("no_plugin_commands")
@pytest.mark.parametrize("argv", [["server"], ["server", "start", "--port", "4201"]])
def test_server_without_its_package_says_how_to_install_it(argv: list[str]) -> None:
    result = CliRunner().invoke(main.build_cli(), argv)
    assert result.exit_code == 1
    assert "headwater-server" in result.output
    assert 'pip install "headwater[server]"' in result.output
    assert "No such command" not in result.output


@pytest.mark.usefixtures("no_plugin_commands")
def test_an_unknown_command_is_still_unknown() -> None:
    result = CliRunner().invoke(main.build_cli(), ["servr"])
    assert result.exit_code == 2
    assert "No such command" in result.output


def test_an_installed_plugin_command_wins_over_the_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    import click

    @click.group("server")
    def server() -> None:
        """A plugin's server group."""

    @server.command("start")
    def start() -> None:
        click.echo("started")

    monkeypatch.setattr(main, "_plugin_commands", lambda: [server])
    result = CliRunner().invoke(main.build_cli(), ["server", "start"])
    assert result.exit_code == 0, result.output
    assert result.output == "started\n"
