"""Every flow-run and task-run state change is recorded as an event, as Prefect emits them."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import textwrap
import time

from headwater import flow, tags, task
from headwater.events.filters import EventFilter, read_events
from headwater.events.schemas.events import Event
from headwater.history import get_store
from headwater.history.sqlite import SQLiteRunStore
from headwater.task_runners import ProcessPoolTaskRunner


def all_events() -> list[dict]:
    store = get_store()
    store.flush()
    return list(reversed(store.read_events(limit=None)))


def of(resource_id: str) -> list[dict]:
    return [e for e in all_events() if e["resource"]["headwater.resource.id"] == resource_id]


def related_by_role(event: dict) -> dict[str, list[dict]]:
    roles: dict[str, list[dict]] = {}
    for r in event["related"]:
        roles.setdefault(r["headwater.resource.role"], []).append(r)
    return roles


def double(x: int) -> int:
    return x * 2


def test_each_state_of_a_flow_and_its_task_is_an_event_with_prefects_resources() -> None:
    @task(tags=["etl"])
    def load(x: int) -> int:
        return x

    @flow(name="nightly")
    def nightly() -> int:
        with tags("prod"):
            return load(1)

    state = nightly(return_state=True)
    flow_run_id = state.state_details["flow_run_id"]
    flow_events = of(f"headwater.flow-run.{flow_run_id}")
    names = [e["event"] for e in flow_events]
    assert names == [
        "headwater.flow-run.Pending",
        "headwater.flow-run.Running",
        "headwater.flow-run.Completed",
    ]
    done = flow_events[-1]
    resource = done["resource"]
    assert resource["headwater.state-type"] == "COMPLETED"
    assert resource["headwater.state-name"] == "Completed"
    assert resource["headwater.resource.name"] == get_store().read_flow_run(flow_run_id)["name"]
    assert datetime.datetime.fromisoformat(resource["headwater.state-timestamp"]).tzinfo
    assert done["payload"]["intended"] == {"from": "RUNNING", "to": "COMPLETED"}
    assert done["payload"]["initial_state"]["name"] == "Running"
    assert done["payload"]["validated_state"]["type"] == "COMPLETED"
    (flow_resource,) = related_by_role(done)["flow"]
    assert flow_resource["headwater.resource.id"] == "headwater.flow.nightly"
    assert flow_resource["headwater.resource.name"] == "nightly"

    (task_run,) = get_store().read_task_runs(flow_run_id)
    task_events = of(f"headwater.task-run.{task_run['id']}")
    assert [e["event"].rsplit(".", 1)[1] for e in task_events] == [
        "Pending",
        "Running",
        "Completed",
    ]
    roles = related_by_role(task_events[-1])
    assert roles["flow-run"][0]["headwater.resource.id"] == f"headwater.flow-run.{flow_run_id}"
    assert roles["flow"][0]["headwater.resource.id"] == "headwater.flow.nightly"
    assert [t["headwater.resource.id"] for t in roles["tag"]] == [
        "headwater.tag.etl",
        "headwater.tag.prod",
    ]


def test_failed_cached_and_timed_out_runs_are_named_by_their_state() -> None:
    @task
    def boom() -> None:
        raise ValueError("no")

    @task(cache_key_fn=lambda ctx, args: "same")
    def cached() -> int:
        return 1

    @task(timeout_seconds=0.2)
    def slow() -> None:
        time.sleep(5)

    @flow
    def mixed() -> None:
        boom(return_state=True)
        cached()
        cached()
        slow(return_state=True)

    mixed(return_state=True)
    names = [e["event"] for e in all_events()]
    for name in (
        "headwater.task-run.Failed",
        "headwater.task-run.Cached",
        "headwater.task-run.TimedOut",
        "headwater.flow-run.Completed",  # failures it did not return or raise (Prefect's rule)
    ):
        assert name in names, names
    failed = next(e for e in all_events() if e["event"] == "headwater.task-run.Failed")
    assert "no" in failed["resource"]["headwater.state-message"]


def test_prefect_spelling_reads_headwaters_state_events() -> None:
    @flow
    def failing() -> None:
        raise RuntimeError("bad")

    failing(return_state=True)
    where = EventFilter(event=("prefect.flow-run.Failed",), resource_id=("prefect.flow-run.*",))
    (row,) = read_events(get_store(), where)
    assert where.matches(row)
    event = Event(row["event"], row["resource"], related=row["related"])
    assert event.resource["prefect.state-name"] == "Failed"
    assert event.resource.id.startswith("headwater.flow-run.")
    assert event.resource_in_role["flow"]["prefect.resource.name"] == "failing"


def test_runs_in_worker_processes_get_their_events_in_the_orchestrator() -> None:
    @flow(task_runner=ProcessPoolTaskRunner(max_workers=1))
    def remote() -> list[int]:
        return [f.result() for f in task(double).map([1, 2])]

    state = remote(return_state=True)
    assert state.result() == [2, 4]
    runs = get_store().read_task_runs(state.state_details["flow_run_id"])
    assert len(runs) == 2
    for run in runs:
        names = [e["event"] for e in of(f"headwater.task-run.{run['id']}")]
        assert names[0] == "headwater.task-run.Pending"
        assert names[-1] == "headwater.task-run.Completed" and "headwater.task-run.Running" in names


def test_one_event_per_recorded_state() -> None:
    @task
    def step(i: int) -> int:
        return i

    @flow
    def many() -> None:
        for i in range(30):
            step(i)

    many()
    store = get_store()
    store.flush()
    (count,) = store._read("SELECT count(*) FROM states")[1][0]
    state_events = [e for e in all_events() if e["event"].startswith("headwater.")]
    assert len(state_events) == count == 3 + 30 * 3
    seqs = [e["seq"] for e in all_events()]
    assert seqs == sorted(set(seqs))


KILLED_CHILD = textwrap.dedent(
    """
    import time
    from headwater import flow
    @flow(name="doomed")
    def doomed():
        print("running", flush=True)
        time.sleep(600)
    doomed()
    """
)


def test_a_run_marked_crashed_after_its_process_died_has_a_crashed_event(headwater_home) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_CHILD],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "HEADWATER_HOME": str(headwater_home)},
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "running"
        time.sleep(0.3)  # the writer commits the Running state within its idle wait
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    store = SQLiteRunStore(headwater_home)  # opening marks the dead process's runs Crashed
    try:
        crashed = [e for e in store.read_events(limit=None) if e["event"].endswith("Crashed")]
        (event,) = crashed
        assert event["event"] == "headwater.flow-run.Crashed"
        assert event["payload"]["intended"]["from"] == "RUNNING"
        assert related_by_role(event)["flow"][0]["headwater.resource.name"] == "doomed"
    finally:
        store.close()
