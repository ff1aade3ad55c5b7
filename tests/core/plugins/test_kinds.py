"""Kinds are declared by the layer that owns them; the registry knows no domain class."""

from __future__ import annotations

import subprocess
import sys

import pytest
from headwater.plugins.kinds import Kind, get_kind, register_kind


def test_unknown_kind_names_the_declared_ones_and_the_fix():
    with pytest.raises(KeyError) as excinfo:
        get_kind("widgets")
    message = str(excinfo.value)
    assert "No plugin kind 'widgets' is declared" in message
    assert "Import the module that owns it first" in message


def test_a_kind_name_cannot_move_to_another_hook():
    with pytest.raises(ValueError, match="already declared for hook 'headwater_task_runners'"):
        register_kind(Kind("task_runners", "headwater_block_types", str))


def test_importing_the_registry_imports_no_domain_module():
    code = (
        "import sys, headwater.plugins.manager, headwater.plugins.builtins\n"
        "bad = [m for m in sys.modules if m.startswith(('headwater.task_runners',"
        " 'headwater.blocks', 'headwater.cli', 'headwater.tasks', 'headwater.flows'))]\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_core_builtins_come_from_the_owning_kind(plugin_manager):
    from headwater.blocks.registry import block_types
    from headwater.task_runners.registry import task_runner_classes

    assert set(task_runner_classes()) == {"thread", "process"}
    assert {"secret", "local-file-system"} <= set(block_types())
    owners = {
        plugin_manager.owner("task_runners", "thread"),
        plugin_manager.owner("block_types", "secret"),
    }
    assert owners == {"headwater"}
