"""Core's own runners pass the suite every plugin's runner must pass."""

from __future__ import annotations

import pytest
from headwater.testing.conformance import TaskRunnerConformance


class TestThreadPoolTaskRunner(TaskRunnerConformance):
    @pytest.fixture
    def task_runner(self):
        from headwater.task_runners.thread import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner()


class TestProcessPoolTaskRunner(TaskRunnerConformance):
    @pytest.fixture
    def task_runner(self):
        from headwater.task_runners.process import ProcessPoolTaskRunner

        return ProcessPoolTaskRunner(max_workers=2)
