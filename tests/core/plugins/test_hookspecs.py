"""Every hookspec is documented with an example, and each example works."""

from __future__ import annotations

import inspect
import textwrap
import types

import pytest
from headwater.blocks.registry import BLOCK_TYPES, OPERATIONS
from headwater.cli.plugin_commands import CLI_COMMANDS
from headwater.plugins.hookspecs import HeadwaterSpecs
from headwater.task_runners.registry import TASK_RUNNERS

KINDS = {k.name: k for k in (TASK_RUNNERS, BLOCK_TYPES, OPERATIONS, CLI_COMMANDS)}

HOOKS = sorted(name for name in vars(HeadwaterSpecs) if name.startswith("headwater_"))
NEEDS = {
    "headwater_block_types": "headwater.blocks.core",
    "headwater_operations": "headwater.blocks.abstract",
}


def _example(hook: str) -> str:
    doc = inspect.getdoc(getattr(HeadwaterSpecs, hook)) or ""
    assert "Example::" in doc, f"{hook} has no example"
    return textwrap.dedent(doc.split("Example::", 1)[1])


def test_every_kind_has_a_hook():
    assert sorted(kind.hook for kind in KINDS.values()) == HOOKS


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_example_registers_something(hook, register_plugin, plugin_manager):
    if hook in NEEDS:
        pytest.importorskip(NEEDS[hook])
    namespace: dict[str, object] = {"__name__": f"example_{hook}"}
    exec(compile(_example(hook), f"<{hook} example>", "exec"), namespace)
    plugin = types.SimpleNamespace(**{hook: namespace[hook]})
    register_plugin(plugin, name=f"example-{hook}")
    kind = next(k for k in KINDS.values() if k.hook == hook)
    info = {i.name: i for i in plugin_manager.plugin_info()}
    assert plugin_manager.collect(kind)
    assert info[f"example-{hook}"].status == "active", info[f"example-{hook}"].error
    assert info[f"example-{hook}"].registers[kind.name]
