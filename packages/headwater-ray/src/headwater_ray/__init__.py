"""headwater-ray: run headwater tasks on Ray (`prefect_ray` -> `headwater_ray`).

    from headwater import flow
    from headwater_ray import RayTaskRunner

    @flow(task_runner=RayTaskRunner())           # local Ray, or address="ray://..."
    def my_flow(): ...

Names load on first use, so `import headwater_ray` does not import Ray.
"""

from __future__ import annotations

from headwater.utilities.lazy import lazy_exports

__all__ = ["HeadwaterRayFuture", "PrefectRayFuture", "RayTaskRunner", "remote_options"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from headwater_ray.context import remote_options
    from headwater_ray.futures import HeadwaterRayFuture, PrefectRayFuture
    from headwater_ray.task_runner import RayTaskRunner
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "RayTaskRunner": "headwater_ray.task_runner",
            "HeadwaterRayFuture": "headwater_ray.futures",
            "PrefectRayFuture": "headwater_ray.futures",
            "remote_options": "headwater_ray.context",
        },
    )
