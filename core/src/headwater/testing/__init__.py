"""Tools for testing headwater plugins and the code that uses them.

Shipped in the package (as `click.testing` is) so that a plugin's own tests can
use the same fixtures and conformance suites as core's. The pytest fixtures
(`headwater_home`, `plugin_manager`, `register_plugin`) load automatically
through the `pytest11` entry point; the suites are imported on demand:

    from headwater.testing import TaskRunnerConformance

    class TestMyRunner(TaskRunnerConformance):
        @pytest.fixture
        def task_runner(self):
            return MyTaskRunner()

Nothing heavy is imported here: pytest imports this package at startup.
"""

from __future__ import annotations

from typing import Any

__all__ = ["BlockConformance", "TaskRunnerConformance"]


def __getattr__(name: str) -> Any:
    if name == "TaskRunnerConformance":
        from headwater.testing.conformance.task_runners import TaskRunnerConformance

        return TaskRunnerConformance
    if name == "BlockConformance":
        from headwater.testing.conformance.blocks import BlockConformance

        return BlockConformance
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
