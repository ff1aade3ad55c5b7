from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def run_logs() -> Iterator[list[str]]:
    """Messages logged by task runs during the test (warn-once memory reset first)."""
    from headwater.caching import engine

    engine._warned.clear()
    handler = _Lines()
    logger = logging.getLogger("headwater.task_runs")
    logger.addHandler(handler)
    try:
        yield handler.lines
    finally:
        logger.removeHandler(handler)
