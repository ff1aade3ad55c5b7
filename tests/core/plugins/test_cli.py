"""`headwater plugins`: table and JSON, failures included, exit 0."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from headwater.cli.plugins import plugins_command
from headwater.plugins.manager import HeadwaterPluginManager


@pytest.fixture
def installed(runner_plugin, install_plugin, use_manager):
    install_plugin("headwater-fake", "headwater_fake_plugin", runner_plugin("fake"))
    install_plugin("headwater-broken", "headwater_broken_plugin", "raise ImportError('no sdk')\n")
    with pytest.warns(Warning):
        use_manager(HeadwaterPluginManager.create())


def test_table_lists_plugins_and_failures(installed):
    result = CliRunner().invoke(plugins_command, [])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["NAME", "VERSION", "STATUS", "REGISTERS"]
    fake = next(line for line in lines if line.startswith("headwater_fake_plugin"))
    assert fake.split() == ["headwater_fake_plugin", "1.2.3", "active", "task_runners:", "fake"]
    broken = lines.index(next(line for line in lines if line.startswith("headwater_broken_plugin")))
    assert "failed" in lines[broken]
    assert "ImportError: no sdk" in lines[broken + 1]
    assert any(line.startswith("headwater ") for line in lines)


def test_json_lists_plugins_and_failures(installed):
    result = CliRunner().invoke(plugins_command, ["--json"])
    assert result.exit_code == 0, result.output
    data = {entry["name"]: entry for entry in json.loads(result.output)}
    assert data["headwater_fake_plugin"] == {
        "name": "headwater_fake_plugin",
        "distribution": "headwater-fake",
        "version": "1.2.3",
        "status": "active",
        "registers": {"task_runners": ["fake"]},
        "error": None,
    }
    assert data["headwater_broken_plugin"]["status"] == "failed"
    assert "no sdk" in data["headwater_broken_plugin"]["error"]
    assert data["headwater"]["distribution"] == "headwater"


def test_command_is_named_plugins():
    assert plugins_command.name == "plugins"
