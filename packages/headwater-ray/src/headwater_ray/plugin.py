"""Registers RayTaskRunner as "ray"; imports no Ray until headwater asks for it."""

from __future__ import annotations

from typing import Any

from headwater.plugins import hookimpl


@hookimpl
def headwater_task_runners() -> list[type[Any]]:
    from headwater_ray.task_runner import RayTaskRunner

    return [RayTaskRunner]
