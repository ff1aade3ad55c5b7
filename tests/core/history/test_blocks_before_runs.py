"""A home where something was saved before any run (a block) reads as an empty history,
and shows the runs once they are recorded: no "no such table" error on the way."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from headwater.history.reader import ReadOnlyRunStore

SAVE_BLOCK = """
from headwater.blocks.system import Secret
Secret(value="s3cr3t").save("db-password")
"""
RUN_FLOW = """
from headwater import flow

@flow
def first_flow():
    return 1

first_flow()
"""
#: the `headwater` command
CLI = "from headwater.cli.main import main; main()"


def _python(code: str, home: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *argv],
        env={**os.environ, "HEADWATER_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_home_with_only_a_block_reads_as_no_runs_yet(headwater_home: Path) -> None:
    saved = _python(SAVE_BLOCK, headwater_home)
    assert saved.returncode == 0, saved.stderr
    assert (headwater_home / "headwater.db").exists()  # the block's tables, no run's

    listed = _python(CLI, headwater_home, "flow-run", "ls")
    assert listed.returncode == 0, listed.stderr
    assert "No flow runs found" in listed.stdout

    reader = ReadOnlyRunStore(headwater_home)
    try:
        assert reader.read_flow_runs() == []
        ran = _python(RUN_FLOW, headwater_home)
        assert ran.returncode == 0, ran.stderr
        # the same reader (as a long-lived server's) sees the run recorded since
        [run] = reader.read_flow_runs()
        assert run["flow_name"] == "first-flow" and run["state_type"] == "COMPLETED"
    finally:
        reader.close()
