"""The test session's guard: a test that writes into a default home fails the session."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

LEAKY_TEST = """
import os

from headwater import flow, task


@task(persist_result=True)
def one() -> int:
    return 1


def test_forgets_its_headwater_home(monkeypatch):
    monkeypatch.delenv("HEADWATER_HOME")

    @flow
    def leaky() -> int:
        return one()

    assert leaky() == 1
"""


def run_inner_session(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    shutil.copy(Path(__file__).parents[2] / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_inner.py").write_text(body)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "--rootdir",
            str(tmp_path),
            "-c",
            "/dev/null",
            str(tmp_path / "test_inner.py"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )


def test_a_test_writing_into_the_default_home_fails_the_session(tmp_path: Path) -> None:
    result = run_inner_session(tmp_path, LEAKY_TEST)
    assert result.returncode != 0, result.stdout
    assert "wrote into a default home" in result.stdout
    assert ".headwater" in result.stdout


def test_a_session_that_keeps_to_its_homes_passes(tmp_path: Path) -> None:
    result = run_inner_session(
        tmp_path, LEAKY_TEST.replace('monkeypatch.delenv("HEADWATER_HOME")', "pass")
    )
    assert result.returncode == 0, result.stdout
