"""Fixtures shared by every test folder. Core-only: never imports an optional package.

The test session never touches the user's real home. HOME itself points at a
temporary directory for the whole session (set before any fixture starts a
Dask cluster, Ray or a subprocess, so those inherit it too), and HEADWATER_HOME
is unset outside a test. Any use of a default home therefore lands in that
temporary HOME; the session fails if a `.headwater` appears there, or if the
real `~/.headwater` (resolved from the real HOME at session start) gained or
changed a file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_REAL_HOME = Path(os.path.expanduser("~"))
_SESSION_HOME = Path(tempfile.mkdtemp(prefix="headwater-test-home-"))
_saved_env = {k: os.environ.get(k) for k in ("HOME", "HEADWATER_HOME")}
os.environ["HOME"] = str(_SESSION_HOME)
os.environ.pop("HEADWATER_HOME", None)


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under `root`: relative path -> (size, mtime in ns)."""
    found: dict[str, tuple[int, int]] = {}
    for directory, _, files in os.walk(root):
        for name in files:
            path = os.path.join(directory, name)
            try:
                info = os.stat(path)
            except OSError:
                continue
            found[os.path.relpath(path, root)] = (info.st_size, info.st_mtime_ns)
    return found


def _home_changes(
    before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]
) -> list[str]:
    created = sorted(set(after) - set(before))
    changed = sorted(k for k in set(after) & set(before) if after[k] != before[k])
    return [f"created {p}" for p in created] + [f"modified {p}" for p in changed]


@pytest.fixture(scope="session", autouse=True)
def real_home_untouched() -> Iterator[Path]:
    """Fail the session if any test (or a worker it started) used a default home."""
    real = _REAL_HOME / ".headwater"
    before = _snapshot(real)
    yield _SESSION_HOME
    problems = [f"{real}: {change}" for change in _home_changes(before, _snapshot(real))]
    leaked = _SESSION_HOME / ".headwater"
    if leaked.exists():
        files = sorted(str(p.relative_to(leaked)) for p in leaked.rglob("*") if p.is_file())
        problems.append(f"the session's temporary HOME got a .headwater: {files[:10]}")
    for key, value in _saved_env.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    shutil.rmtree(_SESSION_HOME, ignore_errors=True)
    if problems:
        pytest.fail(
            "The test session wrote into a default home instead of the test's HEADWATER_HOME "
            "(a worker or subprocess that did not get it?):\n  " + "\n  ".join(problems[:20]),
            pytrace=False,
        )


@pytest.fixture(autouse=True)
def headwater_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test gets its own, empty HEADWATER_HOME and a store reopened from it.

    Subprocesses started by a test inherit the variable, so they record there too.
    """
    from headwater.history import reset_store

    home = tmp_path / "headwater-home"
    home.mkdir()
    monkeypatch.setenv("HEADWATER_HOME", str(home))
    reset_store()
    yield home
    reset_store()
