"""`headwater events ls / stream` over events recorded by this and other processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from headwater import flow, tags, task
from headwater.cli.main import build_cli
from headwater.events import emit_event
from headwater.history import get_store

HEADWATER = [sys.executable, "-c", "from headwater.cli.main import main; main()"]


@pytest.fixture
def cli():
    runner = CliRunner()
    root = build_cli()

    def invoke(*args: str):
        get_store().flush()
        return runner.invoke(root, list(args))

    return invoke


@pytest.fixture
def history() -> None:
    @task
    def load() -> int:
        return 1

    @flow(name="etl")
    def etl() -> int:
        with tags("nightly"):
            return load()

    @flow(name="broken")
    def broken() -> None:
        raise RuntimeError("no")

    etl()
    broken(return_state=True)
    emit_event("data.loaded", {"prefect.resource.id": "warehouse", "prefect.resource.name": "wh"})


def test_ls_lists_newest_first_with_a_limit(cli, history) -> None:
    result = cli("events", "ls", "--limit", "2")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["OCCURRED", "EVENT", "RESOURCE", "NAME"]
    assert len(lines) == 3
    assert "data.loaded" in lines[1] and "warehouse" in lines[1] and "wh" in lines[1]
    assert "headwater.flow-run.Failed" in lines[2]


def test_ls_filters_by_prefect_names_resources_and_related(cli, history) -> None:
    def events(*args: str) -> list[dict]:
        result = cli("events", "ls", "-o", "json", "--limit", "100", *args)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    (failed,) = events("--event", "prefect.flow-run.Failed")
    assert failed["event"] == "headwater.flow-run.Failed"
    assert failed["occurred"].endswith("+00:00") and failed["seq"] > 0
    names = [e["event"] for e in events("-e", "headwater.flow-run")]  # a prefix
    assert len(names) == 6 and names[0] == "headwater.flow-run.Failed"
    assert len(events("-e", "*.flow-run.*")) == 6  # etl: 3, broken: 3
    assert len(events("-e", "headwater.task-run.*", "--related", "prefect.tag.nightly")) == 3
    assert len(events("--related", "headwater.flow.etl")) == 6  # etl's 3 and its task's 3
    (mine,) = events("--resource", "warehouse")
    assert mine["resource"] == {"prefect.resource.id": "warehouse", "prefect.resource.name": "wh"}
    assert len(events("--resource", "prefect.flow-run.*")) == 6
    assert events("--since", "1h", "-e", "data.loaded")[0]["event"] == "data.loaded"
    assert events("--until", "2000-01-01") == []
    assert cli("events", "ls", "-e", "nothing.here").output.strip() == "No events found."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "yesterday"], "'yesterday' is not a time"),
        (["--since", "1h", "--until", "2h"], "is after --until"),
        (["--event", " "], "empty name or id matches nothing"),
        (["--limit", "-1"], "-1 is not in the range"),
    ],
)
def test_bad_options_say_what_is_wrong(cli, args: list[str], message: str) -> None:
    result = cli("events", "ls", *args)
    assert result.exit_code == 2
    assert message in result.output


def test_stream_replays_since_and_stops_after_count(cli, history) -> None:
    result = cli("events", "stream", "--since", "1h", "-e", "prefect.flow-run.*", "--count", "2",
                 "-o", "json", "--timeout", "30")  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [e["event"] for e in lines] == [
        "headwater.flow-run.Pending",
        "headwater.flow-run.Running",
    ]


def test_stream_with_nothing_new_stops_at_its_timeout(cli, history) -> None:
    started = time.monotonic()
    result = cli("events", "stream", "--timeout", "0.3")
    assert result.exit_code == 0
    assert "data.loaded" not in result.stdout  # only events recorded after it started
    assert time.monotonic() - started < 20


EMITTER = """
import sys
from headwater.events import emit_event
for i in range(int(sys.argv[1])):
    emit_event("job.step", {"prefect.resource.id": f"job.{i}"})
"""


def test_stream_follows_another_process_and_stops_cleanly_on_ctrl_c(headwater_home) -> None:
    env = {**os.environ, "HEADWATER_HOME": str(headwater_home)}
    stream = subprocess.Popen(
        [*HEADWATER, "events", "stream", "-e", "job.*"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert stream.stderr is not None and "Streaming events" in stream.stderr.readline()
        # the stream waits for a home with no database yet, then follows it
        subprocess.run([sys.executable, "-c", EMITTER, "3"], env=env, check=True, timeout=120)
        assert stream.stdout is not None
        lines = [stream.stdout.readline() for _ in range(3)]
        assert [line.split()[1:3] for line in lines] == [["job.step", f"job.{i}"] for i in range(3)]
        stream.send_signal(signal.SIGINT)
        assert stream.wait(timeout=30) == 0
        assert "Traceback" not in stream.stderr.read()
    finally:
        if stream.poll() is None:
            stream.kill()
            stream.wait()
        for pipe in (stream.stdout, stream.stderr):
            if pipe is not None:
                pipe.close()
