"""The process's plugin manager, built on first use.

Nothing here imports pluggy until `get_plugin_manager()` is first called, so
`import headwater` stays fast. Lookups by name live with what they find:
`headwater.task_runners.registry.get_task_runner_class("dask")`,
`headwater.blocks.registry.block_types()`, `headwater.cli.plugin_commands`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from headwater.plugins.manager import HeadwaterPluginManager

_pm: HeadwaterPluginManager | None = None
_overrides: list[HeadwaterPluginManager] = []
_lock = threading.Lock()


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
