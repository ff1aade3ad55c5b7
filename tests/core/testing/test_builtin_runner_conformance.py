"""Core's own runners pass the suite every plugin's runner must pass."""

from __future__ import annotations

import pytest

# TEMPORARY while the engine is being written: remove once `headwater.flow` exists.
pytest.importorskip("headwater.flows")

from headwater.testing.conformance import TaskRunnerConformance  # noqa: E402


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
