"""examples/transactions.py, run twice as a user runs it, in one home."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "transactions.py"


def _run(cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, str(EXAMPLE)], cwd=cwd, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_example_rolls_back_the_draft_and_publishes_once(tmp_path: Path) -> None:
    tmp_path = tmp_path / "work"
    tmp_path.mkdir()
    first = _run(tmp_path)
    assert "rolled back: removed report-draft.txt" in first
    assert "file left behind: False" in first
    assert "committed: report-2024-06.txt is final" in first
    assert "report-2024-06: published 2 lines" in first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report-2024-06.txt"]

    second = _run(tmp_path)
    assert "report-2024-06: already published" in second
    assert "committed:" not in second
