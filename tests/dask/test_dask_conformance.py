"""DaskTaskRunner passes core's task runner conformance suite, on a running cluster."""

from __future__ import annotations

import pytest
from headwater.testing import TaskRunnerConformance
from headwater_dask import DaskTaskRunner


class TestDaskTaskRunnerConformance(TaskRunnerConformance):
    @pytest.fixture
    def task_runner(self, dask_address: str) -> DaskTaskRunner:
        return DaskTaskRunner(address=dask_address)
