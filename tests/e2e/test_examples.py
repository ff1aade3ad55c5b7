"""The tutorial's examples, run as users run them: `python examples/<name>.py`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from e2e_support import EXAMPLES, LINE, REPO, RUN_NAME, state_type

pytestmark = pytest.mark.e2e


def _flow_begins(output: str, flow_name: str) -> str:
    pattern = (
        LINE
        + rf"Flow run '({RUN_NAME})' - Beginning flow run '\1' for flow '{re.escape(flow_name)}'$"
    )
    match = re.search(pattern, output, re.MULTILINE)
    assert match, f"no 'Beginning flow run' line for flow {flow_name!r} in:\n{output}"
    return match.group(1)


def _finished_tasks(output: str) -> list[str]:
    """Task names, in order, of the `Task run '<name>-xyz' - Finished in state Completed()` lines."""
    pattern = (
        LINE
        + r"Task run '([a-z_]+)-[0-9a-z]+' - Finished in state Completed\((?:'All states completed\.')?\)$"
    )
    return re.findall(pattern, output, re.MULTILINE)


def _assert_flow_completed(output: str, run_name: str) -> None:
    pattern = (
        LINE
        + rf"Flow run '{re.escape(run_name)}' - Finished in state Completed\((?:'All states completed\.')?\)$"
    )
    assert re.search(pattern, output, re.MULTILINE), output


def _only_flow_run(store, flow_name: str) -> dict:
    runs = store.read_flow_runs(flow_name=flow_name)
    assert len(runs) == 1, runs
    return runs[0]


def test_numbers(run_script, cli, store):
    output = run_script(EXAMPLES / "numbers_simple.py").stdout

    run_name = _flow_begins(output, "analysis")
    # Plain calls run one after another, in the order the flow makes them.
    assert _finished_tasks(output) == [
        "get_number",
        "get_number",
        "add",
        "get_number",
        "multiply",
        "mean",
    ], output
    _assert_flow_completed(output, run_name)
    match = re.search(r"^arbitrary calc: r=(\d+), mean=(\d+(?:\.\d+)?)$", output, re.MULTILINE)
    assert match, output
    assert int(match.group(1)) >= 2 and 1 <= float(match.group(2)) <= 100

    run = _only_flow_run(store, "analysis")
    assert run["name"] == run_name
    assert state_type(run) == "COMPLETED"
    tasks = store.read_task_runs(flow_run_id=run["id"])
    assert len(tasks) == 6 and {state_type(t) for t in tasks} == {"COMPLETED"}

    listing = cli("flow-run", "ls")
    assert run_name in listing and "analysis" in listing and "Completed" in listing
    logs = cli("flow-run", "logs", run["id"])
    # a flow returning futures completes as Prefect's does: Completed('All states completed.')
    assert "Beginning flow run" in logs and "Finished in state Completed(" in logs


def _overlap(a: dict, b: dict) -> bool:
    return a["start_time"] < b["end_time"] and b["start_time"] < a["end_time"]


@pytest.fixture
def short_tmp():
    """A folder with a short path: Ray's socket paths must stay under 107 bytes."""
    import shutil
    import tempfile

    path = tempfile.mkdtemp(prefix="hw-", dir="/tmp")
    yield Path(path)
    shutil.rmtree(path, ignore_errors=True)


def _runner_available(module: str) -> None:
    """Dask and Ray examples need their packages; in CI their absence is a failure."""
    import importlib.util
    import os

    if importlib.util.find_spec(module) is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{module} is not installed, so its example can't run")
        pytest.skip(f"{module} is not installed")


@pytest.mark.parametrize(
    ("script", "needs"),
    [
        ("numbers_concurrent.py", None),
        ("numbers_dask.py", "headwater_dask"),
        ("numbers_ray.py", "headwater_ray"),
    ],
    ids=["threads", "dask", "ray"],
)
def test_numbers_concurrent(
    script, needs, run_script, cli, store, monkeypatch, tmp_path, short_tmp
):
    """The concurrent example, as written and with only its task runner changed."""
    if needs:
        _runner_available(needs)
    if needs == "headwater_ray":
        monkeypatch.setenv("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
        monkeypatch.setenv("RAY_TMPDIR", str(short_tmp))
    if needs == "headwater_dask":
        monkeypatch.setenv("DASK_TEMPORARY_DIRECTORY", str(tmp_path / "dask"))
    output = run_script(EXAMPLES / script, timeout=300).stdout

    run_name = _flow_begins(output, "concurrent analysis")
    assert sorted(_finished_tasks(output)) == sorted(
        ["get_number", "get_number", "get_number", "add", "multiply", "mean"]
    ), output
    _assert_flow_completed(output, run_name)
    # The futures the flow returns come back as their results.
    assert re.search(r"^arbitrary calc: r=\d+, mean=\d+(?:\.\d+)?$", output, re.MULTILINE), output

    run = _only_flow_run(store, "concurrent analysis")
    assert state_type(run) == "COMPLETED"
    tasks = store.read_task_runs(flow_run_id=run["id"])
    assert len(tasks) == 6 and {state_type(t) for t in tasks} == {"COMPLETED"}
    by_name: dict[str, list[dict]] = {}
    for t in tasks:
        by_name.setdefault(t["name"].rsplit("-", 1)[0], []).append(t)

    # Tasks with no dependency between them ran at the same time ...
    g1, g2, g3 = by_name["get_number"]
    (mean,) = by_name["mean"]
    (add,) = by_name["add"]
    (multiply,) = by_name["multiply"]
    if needs is None:
        assert max(g["start_time"] for g in (g1, g2, g3)) < min(g["end_time"] for g in (g1, g2, g3))
        assert _overlap(mean, add) and _overlap(mean, multiply)
    else:
        # a default local cluster here has 2 worker slots (2 cores): 2 run at once
        assert _overlap(g1, g2) or _overlap(g1, g3) or _overlap(g2, g3)
        assert _overlap(mean, add) or _overlap(mean, multiply)
    # ... and dependent ones after what they depend on.
    assert add["start_time"] >= min(g["end_time"] for g in (g1, g2, g3))
    assert multiply["start_time"] >= add["end_time"]

    listed = json.loads(cli("task-run", "ls", "--flow-run", run["id"], "-o", "json"))
    assert sorted(t["id"] for t in listed) == sorted(t["id"] for t in tasks)


def test_timeouts(cli, store):
    """From the repository root: the pipeline completes, and the task that runs past its
    timeout is stopped after 1 second and ends TimedOut."""
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / "timeouts.py")],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=180,
    )
    output = proc.stdout
    assert proc.returncode == 0, output

    run_name = _flow_begins(output, "data-pipeline")
    assert _finished_tasks(output) == ["extract_data", "transform_data", "load_data"], output
    assert "Loaded data: [2, 4, 6, 8, 10]" in output
    timed_out = (
        r"^\d\d:\d\d:\d\d\.\d{3} \| ERROR   \| Task run '(archive_data-[0-9a-z]+)' - "
        r"Finished in state TimedOut\('Task run exceeded timeout of 1 second\(s\)', type=FAILED\)$"
    )
    match = re.search(timed_out, output, re.MULTILINE)
    assert match, output
    assert "Archive: TimedOut(" in output
    _assert_flow_completed(output, run_name)

    run = _only_flow_run(store, "data-pipeline")
    assert state_type(run) == "COMPLETED"
    (archive,) = [t for t in store.read_task_runs(flow_run_id=run["id"]) if t["name"] == match[1]]
    assert (archive["state_type"], archive["state_name"]) == ("FAILED", "TimedOut")
    listed = cli("task-run", "ls", "--state", "timedout")
    assert match[1] in listed and "TimedOut (FAILED)" in listed


# `retries.py` fails at random (30% per attempt). To see the retries every time, run it
# with the example's own random.random() calls scripted: fail, fail, then succeed.
SCRIPTED_RETRIES = """
import random, runpy, sys

script = sys.argv[1]
scripted = [0.1, 0.2, 0.9]
real_random = random.random

def scripted_random():
    if scripted and sys._getframe(1).f_code.co_filename == script:
        return scripted.pop(0)
    return real_random()

random.random = scripted_random
runpy.run_path(script, run_name="__main__")
"""


def test_retries(run_script, store):
    output = run_script(SCRIPTED_RETRIES, str(EXAMPLES / "retries.py")).stdout

    run_name = _flow_begins(output, "data-pipeline")
    assert "Retry 1/3" in output and "Retry 2/3" in output, output
    assert "Retry 3/3" not in output
    assert _finished_tasks(output) == ["extract_data", "transform_data", "load_data"], output
    assert "Loaded data: [2, 4, 6, 8, 10]" in output
    _assert_flow_completed(output, run_name)

    run = _only_flow_run(store, "data-pipeline")
    assert state_type(run) == "COMPLETED"
    (extract,) = [
        t
        for t in store.read_task_runs(flow_run_id=run["id"])
        if t["name"].startswith("extract_data")
    ]
    assert extract["run_count"] == 3
    assert [s["type"] for s in store.read_states(extract["id"])].count("RUNNING") == 3


def test_retries_as_written(run_script):
    """Unscripted: it completes, or (0.3**4 of the time) fails after three retries."""
    proc = run_script(EXAMPLES / "retries.py", check=False)
    if proc.returncode == 0:
        assert "Loaded data: [2, 4, 6, 8, 10]" in proc.stdout
    else:
        assert "Retry 3/3" in proc.stdout, proc.stdout


def test_caching(run_script):
    """Run 2 hits both caches; run 3 hits extract_data's (same source), not transform's."""
    output = run_script(EXAMPLES / "caching.py").stdout
    assert output.count("Extracting from database...") == 1
    assert "Cached" in output


def test_events(run_script, store):
    output = run_script(EXAMPLES / "events.py").stdout
    assert "Pipeline completed. Processed 5 items." in output
    events = {e["event"]: e for e in store.read_events(limit=1000)}
    assert {"data.extracted", "data.transformed", "data.loaded", "pipeline.completed"} <= set(
        events
    )
    assert events["data.loaded"]["payload"] == {"count": 5}
    roles = {r["headwater.resource.role"] for r in events["data.loaded"]["related"]}
    assert roles == {"flow-run", "task-run"}


def test_examples_differ_from_the_tutorial_only_in_imports():
    """Nothing but `prefect` -> `headwater` in import lines.

    Prefect's event and label names (`prefect.flow-run.Failed`, `prefect.resource.id`)
    may stay: automations ported from Prefect match headwater's events unchanged.
    """
    prefect_names = re.compile(r"prefect\.(resource|flow-run|task-run)\b")
    for path in sorted(Path(EXAMPLES).glob("*.py")):
        for line in path.read_text().splitlines():
            code = prefect_names.sub("", line.split("#")[0])
            assert "prefect" not in code, (path, line)


MAP_DOWNSTREAM = """
from headwater import flow, task, unmapped

@task
def scale(x, factor):
    return x * factor

@task
def total(values):
    return sum(values)

@flow
def scaled_total():
    scaled = scale.map([1, 2, 3], unmapped(10))
    return total.submit(scaled).result(), total(scaled)

print("totals", scaled_total())
"""


def test_map_result_passed_downstream(run_script):
    """Prefect resolves the futures in a PrefectFutureList passed to another task."""
    assert "totals (60, 60)" in run_script(MAP_DOWNSTREAM).stdout
