"""Conformance suites a plugin's tests subclass to prove it behaves like core's.

import pytest
from headwater.testing.conformance import TaskRunnerConformance

class TestDaskTaskRunner(TaskRunnerConformance):
    @pytest.fixture
    def task_runner(self):
        return DaskTaskRunner()
"""

from __future__ import annotations

from headwater.testing.conformance.blocks import BlockConformance
from headwater.testing.conformance.task_runners import TaskRunnerConformance

__all__ = ["BlockConformance", "TaskRunnerConformance"]
