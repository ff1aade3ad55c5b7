"""examples/concurrency_limits.py, run as users run it, twice on one home."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from headwater.concurrency import read_concurrency_limit, read_global_concurrency_limit

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def test_the_example_runs_and_keeps_its_limits():
    for _ in range(2):  # the second run finds the limits the first created
        done = subprocess.run(
            [sys.executable, "concurrency_limits.py"], cwd=EXAMPLES, env=os.environ.copy(),
            capture_output=True, text=True, timeout=180,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        found = re.search(
            r"report with 38 rows; at most (\d) warehouse tasks ran at once", done.stdout
        )
        assert found, done.stdout
        assert 1 <= int(found.group(1)) <= 2
    assert read_concurrency_limit("warehouse").limit == 2
    assert read_global_concurrency_limit("partner-api").slot_decay_per_second == 5.0
    assert read_global_concurrency_limit("report-writer").active_slots == 0
