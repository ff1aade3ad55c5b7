"""Registers DaskTaskRunner as "dask"; imports no Dask until headwater asks for it."""

from __future__ import annotations

from typing import Any

from headwater.plugins import hookimpl


@hookimpl
def headwater_task_runners() -> list[type[Any]]:
    from headwater_dask.task_runner import DaskTaskRunner

    return [DaskTaskRunner]
