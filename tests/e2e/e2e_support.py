"""Shared constants and helpers for the end-to-end tests (imported by conftest and tests)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"

# A Prefect-style console line: `16:08:59.356 | INFO    | Flow run 'name' - message`.
LINE = r"^\d\d:\d\d:\d\d\.\d{3} \| INFO    \| "
RUN_NAME = r"[a-z]+(?:-[a-z]+)+"


def headwater_command() -> list[str]:
    """The `headwater` console script of the interpreter running the tests."""
    script = Path(sys.executable).with_name("headwater")
    if script.exists():
        return [str(script)]
    found = shutil.which("headwater")
    if found:
        return [found]
    return [sys.executable, "-c", "from headwater.cli.main import main; main()"]


def state_type(run: dict[str, Any]) -> str | None:
    return run.get("state_type")
