"""headwater-dask: run headwater tasks on Dask (`prefect_dask` -> `headwater_dask`).

    from headwater import flow
    from headwater_dask import DaskTaskRunner

    @flow(task_runner=DaskTaskRunner())          # a temporary LocalCluster
    def my_flow(): ...

Names load on first use, so `import headwater_dask` stays cheap.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "DaskTaskRunner",
    "HeadwaterDaskFuture",
    "PrefectDaskFuture",
    "get_async_dask_client",
    "get_dask_client",
]

_WHERE = {
    "DaskTaskRunner": "headwater_dask.task_runner",
    "HeadwaterDaskFuture": "headwater_dask.futures",
    "PrefectDaskFuture": "headwater_dask.futures",
    "get_dask_client": "headwater_dask.client",
    "get_async_dask_client": "headwater_dask.client",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'headwater_dask' has no attribute {name!r}")
