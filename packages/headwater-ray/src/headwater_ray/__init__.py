"""headwater-ray: run headwater tasks on Ray (`prefect_ray` -> `headwater_ray`).

    from headwater import flow
    from headwater_ray import RayTaskRunner

    @flow(task_runner=RayTaskRunner())           # local Ray, or address="ray://..."
    def my_flow(): ...

Names load on first use, so `import headwater_ray` does not import Ray.
"""

from __future__ import annotations

from typing import Any

__all__ = ["HeadwaterRayFuture", "PrefectRayFuture", "RayTaskRunner", "remote_options"]

_WHERE = {
    "RayTaskRunner": "headwater_ray.task_runner",
    "HeadwaterRayFuture": "headwater_ray.futures",
    "PrefectRayFuture": "headwater_ray.futures",
    "remote_options": "headwater_ray.context",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'headwater_ray' has no attribute {name!r}")
