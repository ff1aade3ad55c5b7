"""What each hook registers, and how one registration is checked and named.

pluggy checks only hook names and argument names; a plugin returning the wrong
thing would otherwise fail far from its cause. Each `Kind` turns one returned
item into its lookup name, or raises `PluginError` saying what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class PluginError(Exception):
    """A plugin failed to load or registered something invalid."""


@dataclass(frozen=True)
class Kind:
    #: key in `PluginInfo.registers` and in `collect()`: "task_runners"
    name: str
    #: the hookspec that provides it
    hook: str
    #: validate one returned item and give its lookup name
    key: Callable[[Any], str]


def _optional_base(module: str, attr: str) -> type | None:
    """A core base class that may not be written yet (blocks come later)."""
    import importlib

    try:
        return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return None
        raise
    except AttributeError:
        return None


def _require_class(item: Any, what: str) -> type:
    if not isinstance(item, type):
        raise PluginError(f"expected a {what} class, got {item!r}")
    return item


def _task_runner_key(item: Any) -> str:
    from headwater.task_runners.base import TaskRunner

    cls = _require_class(item, "TaskRunner")
    if not issubclass(cls, TaskRunner):
        raise PluginError(f"{cls.__qualname__} is not a TaskRunner subclass")
    name = getattr(cls, "short_name", "")
    if not isinstance(name, str) or not name.strip():
        raise PluginError(f"{cls.__qualname__} has no short_name")
    return name.strip()


def _slug_key(base_module: str, base_name: str) -> Callable[[Any], str]:
    def key(item: Any) -> str:
        cls = _require_class(item, base_name)
        base = _optional_base(base_module, base_name)
        if base is not None and not issubclass(cls, base):
            raise PluginError(f"{cls.__qualname__} is not a {base_name} subclass")
        get_slug = getattr(cls, "get_block_type_slug", None)
        if not callable(get_slug):
            raise PluginError(f"{cls.__qualname__} has no get_block_type_slug()")
        slug = get_slug()
        if not isinstance(slug, str) or not slug.strip():
            raise PluginError(f"{cls.__qualname__} has an empty block type slug")
        return slug.strip()

    return key


def _cli_command_key(item: Any) -> str:
    import click

    if not isinstance(item, click.Command):
        raise PluginError(f"expected a click.Command, got {item!r}")
    if not item.name:
        raise PluginError(f"CLI command {item!r} has no name")
    return item.name


TASK_RUNNERS = Kind("task_runners", "headwater_task_runners", _task_runner_key)
BLOCK_TYPES = Kind(
    "block_types", "headwater_block_types", _slug_key("headwater.blocks.core", "Block")
)
OPERATIONS = Kind(
    "operations", "headwater_operations", _slug_key("headwater.blocks.abstract", "Operation")
)
CLI_COMMANDS = Kind("cli_commands", "headwater_cli_commands", _cli_command_key)

KINDS: dict[str, Kind] = {k.name: k for k in (TASK_RUNNERS, BLOCK_TYPES, OPERATIONS, CLI_COMMANDS)}
