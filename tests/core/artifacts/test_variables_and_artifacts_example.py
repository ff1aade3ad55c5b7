"""examples/variables_and_artifacts.py, run as users run it, configured from the shell between runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from headwater.artifacts import Artifact
from headwater.history.artifact_store import get_artifact_storage
from headwater.variables import Variable

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(list(args), cwd=EXAMPLES, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return done


def test_example_reads_variables_and_publishes_versioned_artifacts():
    first = run(sys.executable, "variables_and_artifacts.py").stdout
    assert "warm cities: 2" in first and "runs so far: 1" in first
    assert "2 of 3 cities at or above 15.0 °C: Lima, Pune" in first

    headwater = os.path.join(os.path.dirname(sys.executable), "headwater")
    run(headwater, "variable", "set", "weather_cities", '["Oslo", "Atlantis"]', "--overwrite")
    second = run(sys.executable, "variables_and_artifacts.py").stdout
    assert "warm cities: 0" in second and "runs so far: 2" in second

    assert Variable.get("weather_runs") == 2
    reports = get_artifact_storage().versions("weather-report")
    assert [r["data"].splitlines()[-1] for r in reports] == [
        "0 of 2 cities at or above 15.0 °C: none",
        "2 of 3 cities at or above 15.0 °C: Lima, Pune",
    ]
    table = Artifact.get("weather-table")
    assert json.loads(table.data)[1] == {"city": "Atlantis", "mean": None, "warm": False}
    assert table.task_run_id is not None  # made inside the task
    assert str(table.flow_run_id) == reports[0]["flow_run_id"]
    assert Artifact.get("weather-progress").data == 100.0
