"""The process's plugin manager, built on first use, and lookups by name.

Nothing here imports pluggy until `get_plugin_manager()` is first called, so
`import headwater` stays fast; the engine resolves `@flow(task_runner="dask")`
through `get_task_runner_class()`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from headwater.plugins.manager import HeadwaterPluginManager
    from headwater.task_runners.base import TaskRunner

_pm: HeadwaterPluginManager | None = None
_overrides: list[HeadwaterPluginManager] = []
_lock = threading.Lock()

#: runner short names whose package we know, for the "pip install" hint
_KNOWN_PACKAGES = {"dask": "headwater-dask", "ray": "headwater-ray"}


def get_plugin_manager() -> HeadwaterPluginManager:
    """The cached manager: built-ins plus installed entry points, loaded once."""
    if _overrides:
        return _overrides[-1]
    global _pm
    pm = _pm
    if pm is None:
        with _lock:
            if _pm is None:
                from headwater.plugins.manager import HeadwaterPluginManager

                _pm = HeadwaterPluginManager.create()
            pm = _pm
    return pm


def reset_plugin_manager() -> None:
    """Forget the cached manager; the next lookup reloads plugins."""
    global _pm
    with _lock:
        _pm = None


@contextmanager
def use_plugin_manager(pm: HeadwaterPluginManager) -> Iterator[HeadwaterPluginManager]:
    """Make `pm` the manager every lookup uses inside the block (tests)."""
    _overrides.append(pm)
    try:
        yield pm
    finally:
        _overrides.remove(pm)


def task_runner_classes() -> dict[str, type[TaskRunner[Any]]]:
    """short_name -> TaskRunner class, for every registered runner."""
    return dict(get_plugin_manager().collect("task_runners"))


def get_task_runner_class(name: str) -> type[TaskRunner[Any]]:
    """The runner class registered as `name` ("thread", "process", "dask", ...).

    Raises ValueError naming the registered runners (and any plugin that
    failed to load) when no plugin provides `name`.
    """
    pm = get_plugin_manager()
    runners = pm.collect("task_runners")
    key = name.strip() if isinstance(name, str) else name
    if key in runners:
        return runners[key]  # type: ignore[no-any-return]
    if isinstance(key, str) and key.lower() in runners:
        return runners[key.lower()]  # type: ignore[no-any-return]
    registered = ", ".join(sorted(runners)) or "none"
    package = _KNOWN_PACKAGES.get(str(key).lower())
    hint = f": pip install {package}" if package else ", e.g. pip install headwater-dask"
    message = (
        f"Unknown task runner {name!r}. Registered: {registered}. "
        f"Install the plugin that provides it{hint}."
    )
    failed = [i for i in pm.plugin_info() if i.status == "failed"]
    if failed:
        message += " Plugins that failed to load: " + "; ".join(
            f"{i.label}: {i.error}" for i in failed
        )
    raise ValueError(message)


def block_types() -> dict[str, type[Any]]:
    """block type slug -> Block class."""
    return dict(get_plugin_manager().collect("block_types"))


def operations() -> dict[str, type[Any]]:
    """block type slug -> Operation class."""
    return dict(get_plugin_manager().collect("operations"))


def cli_commands() -> list[Any]:
    """click commands contributed by plugins, in load order."""
    return list(get_plugin_manager().collect("cli_commands").values())
