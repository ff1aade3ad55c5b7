"""Helpers for end-to-end tests: scripts and the CLI run in real subprocesses.

Every subprocess inherits the test's own HEADWATER_HOME (see tests/conftest.py),
so what it records is read back here through the store's public read API.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_support import headwater_command


@pytest.fixture
def run_script(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run a script file (or `-c` code) with this interpreter; stdout and stderr merged."""

    def run(
        script: Path | str, *args: str, timeout: float = 180, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, str(script)] if isinstance(script, Path) else [sys.executable]
        if isinstance(script, str):
            argv += ["-c", script]
        proc = subprocess.run(
            [*argv, *args],
            cwd=tmp_path,
            env=os.environ.copy(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
        )
        if check:
            assert proc.returncode == 0, f"exit {proc.returncode}:\n{proc.stdout}"
        return proc

    return run


@pytest.fixture
def cli(tmp_path: Path) -> Callable[..., str]:
    """Run `headwater <args>`; returns stdout, fails the test on a non-zero exit."""

    def run(*args: str, timeout: float = 60) -> str:
        proc = subprocess.run(
            [*headwater_command(), *args],
            cwd=tmp_path,
            env=os.environ.copy(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert proc.returncode == 0, (
            f"headwater {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
        )
        return proc.stdout

    return run


@pytest.fixture
def store(headwater_home: Path) -> Iterator[Any]:
    """The run store of this test's HEADWATER_HOME, opened in the test process."""
    from headwater.history import get_store, reset_store

    reset_store()
    yield get_store()
    reset_store()
