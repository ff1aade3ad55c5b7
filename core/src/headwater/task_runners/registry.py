"""Task runners by short name: `@flow(task_runner="dask")`, settings and the CLI.

Task runners own this lookup (the plugin registry below them knows no runner
class): this module declares the `task_runners` plugin kind, checks each
registration is a `TaskRunner` subclass with a `short_name`, and gives core's
thread and process runners as built-ins.
"""

from __future__ import annotations

from typing import Any

from headwater.plugins.kinds import Kind, PluginError, register_kind, require_subclass
from headwater.plugins.registry import get_plugin_manager
from headwater.task_runners.base import TaskRunner

#: runner short names whose package we know, for the "pip install" hint
_KNOWN_PACKAGES = {"dask": "headwater-dask", "ray": "headwater-ray"}


def _task_runner_key(item: Any) -> str:
    cls = require_subclass(item, TaskRunner)
    name = getattr(cls, "short_name", "")
    if not isinstance(name, str) or not name.strip():
        raise PluginError(f"{cls.__qualname__} has no short_name")
    return name.strip()


def _core_task_runners() -> list[Any]:
    from headwater.task_runners.process import ProcessPoolTaskRunner
    from headwater.task_runners.thread import ThreadPoolTaskRunner

    return [ThreadPoolTaskRunner, ProcessPoolTaskRunner]


TASK_RUNNERS = register_kind(
    Kind("task_runners", "headwater_task_runners", _task_runner_key, _core_task_runners)
)


def task_runner_classes() -> dict[str, type[TaskRunner[Any]]]:
    """short_name -> TaskRunner class, for every registered runner."""
    return dict(get_plugin_manager().collect(TASK_RUNNERS))


def get_task_runner_class(name: str) -> type[TaskRunner[Any]]:
    """The runner class registered as `name` ("thread", "process", "dask", ...).

    Raises ValueError naming the registered runners (and any plugin that
    failed to load) when no plugin provides `name`.
    """
    pm = get_plugin_manager()
    runners = pm.collect(TASK_RUNNERS)
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
