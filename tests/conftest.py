"""Fixtures shared by every test folder. Core-only: never imports an optional package."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def headwater_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test gets its own, empty HEADWATER_HOME and a store reopened from it.

    Subprocesses started by a test inherit the variable, so they record there too.
    """
    from headwater.store import reset_store

    home = tmp_path / "headwater-home"
    home.mkdir()
    monkeypatch.setenv("HEADWATER_HOME", str(home))
    reset_store()
    yield home
    reset_store()
