"""examples/assets_lineage.py runs as a user runs it, and `headwater asset ls` shows its lineage."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from headwater.cli.main import build_cli

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "assets_lineage.py"


def test_example_records_lineage(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLE)], cwd=tmp_path, env=os.environ.copy(),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("flowchart TD\n")
    assert "total_by_customer_0 --> write_report_0" in done.stdout
    assert (
        json.loads((tmp_path / "lineage-data" / "report.json").read_text())["top_customer"] == "ada"
    )

    result = CliRunner().invoke(build_cli(), ["asset", "ls", "-o", "json"])
    assert result.exit_code == 0, result.output
    assets = {a["key"].rsplit("/", 1)[1]: a for a in json.loads(result.output)}
    assert assets["orders.csv"]["metadata"] == {"rows": 3}
    assert assets["orders.csv"]["name"] == "Orders"
    assert sorted(u.rsplit("/", 1)[1] for u in assets["totals.json"]["upstream"]) == [
        "current.csv", "orders.csv",
    ]  # fmt: skip
    assert [u.rsplit("/", 1)[1] for u in assets["report.json"]["upstream"]] == ["totals.json"]
    assert assets["current.csv"]["last_state"] is None  # only referenced
