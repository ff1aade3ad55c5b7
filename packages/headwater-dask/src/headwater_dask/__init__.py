"""headwater-dask: run headwater tasks on Dask (`prefect_dask` -> `headwater_dask`).

    from headwater import flow
    from headwater_dask import DaskTaskRunner

    @flow(task_runner=DaskTaskRunner())          # a temporary LocalCluster
    def my_flow(): ...

Names load on first use, so `import headwater_dask` stays cheap.
"""

from __future__ import annotations

from headwater.utilities.lazy import lazy_exports

__all__ = [
    "DaskTaskRunner",
    "HeadwaterDaskFuture",
    "PrefectDaskFuture",
    "get_async_dask_client",
    "get_dask_client",
]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from headwater_dask.client import get_async_dask_client, get_dask_client
    from headwater_dask.futures import HeadwaterDaskFuture, PrefectDaskFuture
    from headwater_dask.task_runner import DaskTaskRunner
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "DaskTaskRunner": "headwater_dask.task_runner",
            "HeadwaterDaskFuture": "headwater_dask.futures",
            "PrefectDaskFuture": "headwater_dask.futures",
            "get_dask_client": "headwater_dask.client",
            "get_async_dask_client": "headwater_dask.client",
        },
    )
