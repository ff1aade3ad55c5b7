"""Loading: built-ins, entry points, broken and disabled plugins."""

from __future__ import annotations

import sys
import warnings

import pytest
from headwater.plugins import hookimpl
from headwater.plugins.manager import HeadwaterPluginManager, HeadwaterPluginWarning
from headwater.task_runners.registry import get_task_runner_class, task_runner_classes


def _info(pm: HeadwaterPluginManager, name: str):
    pm.collect_all()
    return {i.name: i for i in pm.plugin_info()}[name]


def test_builtins_register_thread_and_process_runners(plugin_manager):
    from headwater.task_runners.process import ProcessPoolTaskRunner
    from headwater.task_runners.thread import ThreadPoolTaskRunner

    assert task_runner_classes() == {
        "thread": ThreadPoolTaskRunner,
        "process": ProcessPoolTaskRunner,
    }
    assert get_task_runner_class("process") is ProcessPoolTaskRunner
    info = _info(plugin_manager, "headwater")
    assert info.status == "active"
    assert info.distribution == "headwater"
    assert info.registers["task_runners"] == ["thread", "process"]


def test_entry_point_plugin_registers_a_runner(runner_plugin, install_plugin, use_manager):
    install_plugin("headwater-fake", "headwater_fake_plugin", runner_plugin("fake"))
    pm = HeadwaterPluginManager.create()
    use_manager(pm)

    cls = get_task_runner_class("fake")
    assert cls.short_name == "fake"
    info = _info(pm, "headwater_fake_plugin")
    assert (info.distribution, info.version, info.status) == ("headwater-fake", "1.2.3", "active")
    assert info.registers == {"task_runners": ["fake"]}


BROKEN = {
    "import_error": "import headwater_no_such_module_xyz\n",
    "hook_raises": (
        "from headwater.plugins import hookimpl\n"
        "@hookimpl\n"
        "def headwater_task_runners():\n"
        "    raise RuntimeError('boom in hook')\n"
    ),
    "bad_type": (
        "from headwater.plugins import hookimpl\n"
        "@hookimpl\n"
        "def headwater_task_runners():\n"
        "    return [dict]\n"
    ),
    "not_a_list": (
        "from headwater.plugins import hookimpl\n"
        "@hookimpl\n"
        "def headwater_task_runners():\n"
        "    return 42\n"
    ),
    "misspelt_hook": (
        "from headwater.plugins import hookimpl\n"
        "@hookimpl\n"
        "def headwater_task_runner():\n"
        "    return []\n"
    ),
}
EXPECTED_ERROR = {
    "import_error": "ModuleNotFoundError",
    "hook_raises": "boom in hook",
    "bad_type": "not a TaskRunner subclass",
    "not_a_list": "must return a list",
    "misspelt_hook": "unknown hook(s) headwater_task_runner",
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_broken_plugin_is_reported_once_and_others_keep_working(
    runner_plugin, kind, install_plugin, use_manager
):
    install_plugin("headwater-good", "headwater_good_plugin", runner_plugin("good"))
    install_plugin(f"headwater-{kind}", f"headwater_{kind}_plugin", BROKEN[kind])

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pm = HeadwaterPluginManager.create()
        use_manager(pm)
        assert get_task_runner_class("good").short_name == "good"
        pm.collect_all()

    ours = [w for w in caught if issubclass(w.category, HeadwaterPluginWarning)]
    assert len(ours) == 1, [str(w.message) for w in ours]
    message = str(ours[0].message)
    assert f"headwater-{kind}" in message
    assert EXPECTED_ERROR[kind] in message

    info = _info(pm, f"headwater_{kind}_plugin")
    assert info.status == "failed"
    assert EXPECTED_ERROR[kind] in info.error
    assert _info(pm, "headwater_good_plugin").status == "active"


def test_conflicting_name_is_refused_and_first_registration_wins(
    runner_plugin, install_plugin, use_manager
):
    install_plugin("headwater-a", "headwater_a_plugin", runner_plugin("shared", "RunnerA"))
    install_plugin("headwater-b", "headwater_b_plugin", runner_plugin("shared", "RunnerB"))
    with pytest.warns(HeadwaterPluginWarning, match=r"headwater-b.*'shared' is already registered"):
        pm = HeadwaterPluginManager.create()
        use_manager(pm)
        assert get_task_runner_class("shared").__name__ == "RunnerA"
    assert _info(pm, "headwater_b_plugin").status == "failed"
    assert _info(pm, "headwater_a_plugin").status == "active"


def test_plugin_cannot_take_a_builtin_runner_name(runner_plugin, install_plugin, use_manager):
    install_plugin("headwater-evil", "headwater_evil_plugin", runner_plugin("thread"))
    with pytest.warns(
        HeadwaterPluginWarning, match="'thread' is already registered by plugin 'headwater'"
    ):
        pm = HeadwaterPluginManager.create()
        use_manager(pm)
        assert get_task_runner_class("thread").__name__ == "ThreadPoolTaskRunner"


@pytest.mark.parametrize("disable", ["headwater_off_plugin", "headwater-off"])
def test_disabled_plugins_are_not_imported(
    runner_plugin, disable, install_plugin, use_manager, monkeypatch
):
    install_plugin("headwater-off", "headwater_off_plugin", runner_plugin("off"))
    monkeypatch.setenv("HEADWATER_DISABLED_PLUGINS", f"something-else, {disable}")
    pm = HeadwaterPluginManager.create()
    use_manager(pm)

    assert "headwater_off_plugin" not in sys.modules
    assert "off" not in task_runner_classes()
    assert _info(pm, "headwater_off_plugin").status == "disabled"


def test_register_plugin_fixture_registers_for_one_test(register_plugin, plugin_manager):
    from headwater.task_runners.base import TaskRunner

    class InlineRunner(TaskRunner):
        short_name = "inline-test"

        def duplicate(self):
            return type(self)()

        def submit(self, task, parameters, wait_for=None, dependencies=None):
            raise NotImplementedError

    class Plugin:
        @hookimpl
        def headwater_task_runners(self):
            return [InlineRunner]

    register_plugin(Plugin(), name="inline")
    assert get_task_runner_class("inline-test") is InlineRunner
    assert _info(plugin_manager, "inline").registers == {"task_runners": ["inline-test"]}


def test_register_plugin_is_undone_after_the_test(plugin_manager):
    assert "inline-test" not in task_runner_classes()
