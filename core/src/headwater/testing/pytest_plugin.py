"""pytest fixtures for headwater users and plugin authors (loaded via `pytest11`).

pytest imports this module in every session of every project that has
headwater installed, so it imports nothing beyond pytest at module level; the
fixtures import what they need when used.

- `headwater_home`: a temporary HEADWATER_HOME with a fresh run store.
- `plugin_manager`: a fresh plugin manager holding only core's built-ins (no
  entry points), used by `headwater.plugins` lookups for the test's duration.
- `register_plugin`: register an object or module of hookimpls on that fresh
  manager for one test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from headwater.plugins.manager import HeadwaterPluginManager


def use_headwater_home(path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point HEADWATER_HOME at `path`, with a fresh run store before and after.

    Shared by the fixture and the conformance suites (which must not depend on
    this plugin being loaded, e.g. under `-p no:headwater`).
    """
    from headwater.history import reset_store

    path.mkdir(parents=True, exist_ok=True)
    reset_store()
    monkeypatch.setenv("HEADWATER_HOME", str(path))
    try:
        yield path
    finally:
        reset_store()


@pytest.fixture
def headwater_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A temporary HEADWATER_HOME; the run store is reset before and after the test."""
    yield from use_headwater_home(tmp_path / "headwater-home", monkeypatch)


@pytest.fixture
def plugin_manager() -> Iterator[HeadwaterPluginManager]:
    """A fresh plugin manager with only core's built-ins, swapped in for this test."""
    from headwater.plugins.manager import HeadwaterPluginManager
    from headwater.plugins.registry import use_plugin_manager

    pm = HeadwaterPluginManager.create(load_entrypoints=False)
    with use_plugin_manager(pm):
        yield pm


@pytest.fixture
def register_plugin(
    plugin_manager: HeadwaterPluginManager,
) -> Iterator[Callable[..., Any]]:
    """`register_plugin(plugin, name=None)` registers hookimpls for this test only.

    `plugin` is any object or module with `@hookimpl` functions; it is
    unregistered after the test, and its registrations are validated like an
    installed plugin's.
    """
    registered: list[object] = []

    def register(plugin: object, name: str | None = None) -> object:
        plugin_manager.register_plugin(plugin, name=name)
        registered.append(plugin)
        return plugin

    yield register
    for plugin in registered:
        if plugin_manager.is_registered(plugin):
            plugin_manager.unregister(plugin)
