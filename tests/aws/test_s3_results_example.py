"""examples/s3_results.py against moto: run twice in fresh processes (each with its own,
empty HEADWATER_HOME); the second run's tasks are Cached and their values come from the bucket."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "s3_results.py"
pytestmark = pytest.mark.e2e


def run(
    args: list[str], home: Path, endpoint: str, bucket: str
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "HEADWATER_HOME": str(home),
        "HEADWATER_EXAMPLE_S3_ENDPOINT": endpoint,
        "HEADWATER_EXAMPLE_S3_BUCKET": bucket,
        "AWS_ACCESS_KEY_ID": "example-key",
        "AWS_SECRET_ACCESS_KEY": "example-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    done = subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def task_states(home: Path, endpoint: str, bucket: str) -> dict[str, str]:
    code = "import sys; from headwater.cli.main import main; sys.argv[0] = 'headwater'; main()"
    listed = run(["-c", code, "task-run", "ls", "-o", "json"], home, endpoint, bucket)
    runs = json.loads(listed.stdout)
    return {r["name"]: r["state_name"] for r in runs}


def test_second_run_reads_cached_results_from_the_bucket(tmp_path, endpoint, s3_client):
    bucket = "hw-example-results"
    first_home, second_home = tmp_path / "first", tmp_path / "second"

    first = run([str(EXAMPLE)], first_home, endpoint, bucket)
    assert first.stdout.count("querying 7 days") == 2, first.stdout
    assert first.stdout.count("summarising") == 2, first.stdout
    stored = s3_client.list_objects_v2(Bucket=bucket, Prefix="results/").get("Contents", [])
    assert len(stored) >= 4, "four task results were written to the bucket"
    local = first_home / "storage"
    assert not local.exists() or not any(local.iterdir()), "nothing went to local storage"
    states = task_states(first_home, endpoint, bucket)
    assert len(states) == 4 and set(states.values()) == {"Completed"}, states

    second = run([str(EXAMPLE)], second_home, endpoint, bucket)
    assert "querying" not in second.stdout and "summarising" not in second.stdout, second.stdout
    report = [line for line in first.stdout.splitlines() if line.startswith(("north", "south"))]
    assert len(report) == 2
    for line in report:
        assert line in second.stdout.splitlines()
    states = task_states(second_home, endpoint, bucket)
    assert len(states) == 4 and set(states.values()) == {"Cached"}, states

    # the cache lives in the bucket: empty it and a third fresh process computes again
    for item in stored:
        s3_client.delete_object(Bucket=bucket, Key=item["Key"])
    third = run([str(EXAMPLE)], tmp_path / "third", endpoint, bucket)
    assert third.stdout.count("querying 7 days") == 2, third.stdout
