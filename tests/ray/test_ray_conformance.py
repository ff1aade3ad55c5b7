"""RayTaskRunner passes core's task runner conformance suite, on the session's Ray."""

from __future__ import annotations

import pytest
from headwater.testing import TaskRunnerConformance
from headwater_ray import RayTaskRunner


class TestRayTaskRunnerConformance(TaskRunnerConformance):
    @pytest.fixture
    def task_runner(self) -> RayTaskRunner:
        return RayTaskRunner()
