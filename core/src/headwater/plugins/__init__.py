"""Plugins: how packages add task runners, blocks, operations and CLI commands.

What plugin authors import is `hookimpl`; write a module of hook functions
(see `headwater.plugins.hookspecs` for each hook and an example) and name it
in your distribution's entry points:

    # headwater_dask/plugin.py
    from headwater.plugins import hookimpl

    @hookimpl
    def headwater_task_runners():
        from headwater_dask.task_runner import DaskTaskRunner
        return [DaskTaskRunner]

    # pyproject.toml
    [project.entry-points.headwater]
    dask = "headwater_dask.plugin"

Plugins load on first lookup, never at `import headwater`; pluggy itself is
imported only then (or when `hookimpl` is first used).

Lookups by name live with what they find: `headwater.task_runners.registry`
(`get_task_runner_class`, `task_runner_classes`), `headwater.blocks.registry`
(`block_types`, `operations`) and `headwater.cli.plugin_commands`.
"""

from __future__ import annotations

from headwater.plugins.registry import (
    get_plugin_manager,
    reset_plugin_manager,
    use_plugin_manager,
)
from headwater.utilities.lazy import lazy_exports

__all__ = [
    "HeadwaterPluginManager",
    "HeadwaterPluginWarning",
    "PluginInfo",
    "collect_plugin_info",
    "get_plugin_manager",
    "hookimpl",
    "reset_plugin_manager",
    "use_plugin_manager",
]

TYPE_CHECKING = False
if TYPE_CHECKING:
    import pluggy

    from headwater.plugins.info import PluginInfo, collect_plugin_info
    from headwater.plugins.manager import HeadwaterPluginManager, HeadwaterPluginWarning

    #: built on first use (it needs pluggy), not imported from a module
    hookimpl: pluggy.HookimplMarker
else:
    _lazy_getattr, __dir__ = lazy_exports(
        __name__,
        {
            "HeadwaterPluginManager": "headwater.plugins.manager",
            "HeadwaterPluginWarning": "headwater.plugins.manager",
            "PluginInfo": "headwater.plugins.info",
            "collect_plugin_info": "headwater.plugins.info",
        },
    )

    def __getattr__(name):
        if name == "hookimpl":
            import pluggy

            from headwater.plugins.hookspecs import PROJECT_NAME

            marker = pluggy.HookimplMarker(PROJECT_NAME)
            globals()["hookimpl"] = marker
            return marker
        return _lazy_getattr(name)
