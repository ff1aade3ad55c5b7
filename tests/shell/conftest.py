"""Fixtures for headwater-shell tests. Every test already has its own HEADWATER_HOME
(tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def pidfile(tmp_path: Path) -> Path:
    return tmp_path / "script.pid"


@pytest.fixture
def hanging(pidfile: Path) -> list[str]:
    """Commands that record the script's pid, then hang in a three-level tree:
    a background sleep, and a sleep inside a nested shell."""
    return [f"echo $$ > {pidfile}", "sleep 9999 & sh -c 'sleep 9999; echo never'"]


@pytest.fixture
def run_flow() -> Callable[..., Any]:
    """Call a flow for its final state (never raises)."""

    def call(flow: Any, *args: Any, **kwargs: Any) -> Any:
        return flow(*args, return_state=True, **kwargs)

    return call
