"""Lookups by name and the lazy, cached manager."""

from __future__ import annotations

import subprocess
import sys

import pytest
from headwater import plugins
from headwater.blocks.registry import block_types, operations
from headwater.cli.plugin_commands import cli_commands
from headwater.task_runners.registry import get_task_runner_class, task_runner_classes


def test_unknown_runner_names_it_and_lists_registered(plugin_manager):
    with pytest.raises(ValueError) as excinfo:
        get_task_runner_class("foo")
    message = str(excinfo.value)
    assert message.startswith("Unknown task runner 'foo'. Registered: ")
    assert "Install the plugin that provides it, e.g. pip install headwater-dask." in message
    for name in task_runner_classes():
        assert name in message


def test_unknown_known_runner_suggests_its_package(plugin_manager):
    with pytest.raises(ValueError, match=r"pip install headwater-ray\."):
        get_task_runner_class("ray")


def test_names_are_case_insensitive(plugin_manager):
    assert get_task_runner_class(" Thread ") is get_task_runner_class("thread")


def test_get_plugin_manager_is_cached_and_overridable(plugin_manager):
    assert plugins.get_plugin_manager() is plugin_manager
    plugins.reset_plugin_manager()
    try:
        with plugins.use_plugin_manager(plugin_manager):
            pass
        # outside the fixture's override we would get the global one; inside, ours
        assert plugins.get_plugin_manager() is plugin_manager
    finally:
        plugins.reset_plugin_manager()


def test_global_manager_is_built_once():
    plugins.reset_plugin_manager()
    try:
        assert plugins.get_plugin_manager() is plugins.get_plugin_manager()
    finally:
        plugins.reset_plugin_manager()


def test_lookups_return_copies(plugin_manager):
    task_runner_classes()["bogus"] = object
    assert "bogus" not in task_runner_classes()
    assert isinstance(block_types(), dict)
    assert isinstance(operations(), dict)
    assert cli_commands() == []


def test_importing_plugins_does_not_import_pluggy():
    code = (
        "import sys, headwater.plugins\n"
        "assert 'pluggy' not in sys.modules, 'pluggy imported at import'\n"
        "headwater.plugins.get_plugin_manager()\n"
        "assert 'pluggy' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_flow_resolves_runner_names_through_the_registry(plugin_manager):
    from headwater import flow
    from headwater.task_runners.process import ProcessPoolTaskRunner

    assert isinstance(flow(task_runner="process")(lambda: 1).task_runner, ProcessPoolTaskRunner)
    with pytest.raises(ValueError, match="Unknown task runner 'foo'. Registered: process, thread."):
        flow(task_runner="foo")(lambda: 1)


def test_unknown_runner_error_mentions_failed_plugins(plugin_manager, register_plugin):
    class Broken:
        @plugins.hookimpl
        def headwater_task_runners(self):
            raise ImportError("No module named 'dask'")

    with pytest.warns(plugins.HeadwaterPluginWarning):
        register_plugin(Broken(), name="dask")
        with pytest.raises(ValueError, match=r"failed to load: 'dask': .*No module named 'dask'"):
            get_task_runner_class("dask")
