"""Prefect's `prefect_dask.task_runners` path, renamed, leads to the real runner."""

from __future__ import annotations


def test_task_runners_module_path() -> None:
    from headwater_dask import DaskTaskRunner
    from headwater_dask.task_runners import DaskTaskRunner as PortedDaskTaskRunner
    from headwater_dask.task_runners import PrefectDaskFuture

    assert PortedDaskTaskRunner is DaskTaskRunner
    assert PrefectDaskFuture.__name__ in ("PrefectDaskFuture", "HeadwaterDaskFuture")
