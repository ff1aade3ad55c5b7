"""Prefect's `prefect_dask.task_runners` path: `from headwater_dask.task_runners import DaskTaskRunner`."""

from headwater_dask.futures import HeadwaterDaskFuture, PrefectDaskFuture
from headwater_dask.task_runner import DaskTaskRunner

__all__ = ["DaskTaskRunner", "HeadwaterDaskFuture", "PrefectDaskFuture"]
