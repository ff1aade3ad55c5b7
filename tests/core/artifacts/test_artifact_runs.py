"""Artifacts record the flow run and task run that created them, in this process and others."""

from __future__ import annotations

import asyncio
import inspect
import json
import subprocess
import sys
import textwrap

from headwater import flow, task
from headwater.artifacts import (
    Artifact,
    acreate_markdown_artifact,
    acreate_table_artifact,
    aupdate_progress_artifact,
    create_markdown_artifact,
    create_progress_artifact,
)
from headwater.context import FlowRunContext, TaskRunContext
from headwater.history import open_for_reading, reset_store
from headwater.history.artifact_store import get_artifact_storage


def test_task_inside_flow_records_both_run_ids():
    @task
    def publish():
        create_markdown_artifact("from the task", key="task-note")
        return TaskRunContext.get().task_run.id

    @flow
    def pipeline():
        create_markdown_artifact("from the flow", key="flow-note")
        return FlowRunContext.get().flow_run.id, publish()

    flow_run_id, task_run_id = pipeline()
    in_task = Artifact.get("task-note")
    assert (str(in_task.flow_run_id), str(in_task.task_run_id)) == (flow_run_id, task_run_id)
    in_flow = Artifact.get("flow-note")
    assert str(in_flow.flow_run_id) == flow_run_id and in_flow.task_run_id is None
    assert [r["key"] for r in get_artifact_storage().for_run(flow_run_id=flow_run_id)] == [
        "flow-note", "task-note",
    ]  # fmt: skip
    assert [r["key"] for r in get_artifact_storage().for_run(task_run_id=task_run_id)] == [
        "task-note"
    ]


def test_submitted_tasks_record_their_own_task_run():
    @task
    def part(i: int) -> str:
        create_markdown_artifact(f"part {i}", key=f"part-{i}")
        return TaskRunContext.get().task_run.id

    @flow
    def fan_out():
        return [f.result() for f in part.map(range(3))]

    ids = fan_out()
    assert [str(Artifact.get(f"part-{i}").task_run_id) for i in range(3)] == ids


def test_async_flow_and_task():
    @task
    async def measure():
        pid = await create_progress_artifact(10, key="measure")
        await aupdate_progress_artifact(pid, 90)
        await acreate_table_artifact([{"a": 1}], key="measured")
        return TaskRunContext.get().task_run.id

    @flow
    async def run_it():
        pending = create_markdown_artifact("async flow", key="async-flow")
        assert inspect.iscoroutine(pending)  # as in Prefect: await it in async code
        await pending
        await acreate_markdown_artifact("twin", key="async-twin")
        return await measure()

    task_run_id = asyncio.run(run_it())
    assert Artifact.get("measure").data == 90.0
    assert str(Artifact.get("measured").task_run_id) == task_run_id
    assert Artifact.get("async-flow").flow_run_id == Artifact.get("async-twin").flow_run_id


CHILD = """
from headwater import flow, task
from headwater.artifacts import create_table_artifact, create_markdown_artifact
from headwater.context import FlowRunContext, TaskRunContext

@task
def load():
    create_table_artifact({"rows": [1, 2], "ok": [True, False]}, key="load-summary")
    return TaskRunContext.get().task_run.id

@flow
def nightly():
    create_markdown_artifact("# Nightly", key="nightly-report", description="from a child")
    return FlowRunContext.get().flow_run.id, load()

import json
print(json.dumps(nightly()))
"""


def test_artifacts_made_in_another_process_are_read_here_with_their_runs():
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(CHILD)],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    flow_run_id, task_run_id = json.loads(done.stdout.strip().splitlines()[-1])
    table = Artifact.get("load-summary")
    assert json.loads(table.data) == {"rows": [1, 2], "ok": [True, False]}
    assert (str(table.flow_run_id), str(table.task_run_id)) == (flow_run_id, task_run_id)
    report = Artifact.get("nightly-report")
    assert (report.description, str(report.flow_run_id)) == ("from a child", flow_run_id)
    # the ids are the runs the child's run history recorded
    reset_store()
    history = open_for_reading()
    assert history.read_flow_run(flow_run_id)["flow_name"] == "nightly"
    assert history.read_task_run(task_run_id)["flow_run_id"] == flow_run_id


@task
def in_worker(i: int) -> tuple[str, int]:
    import os

    create_markdown_artifact(f"part {i}", key=f"worker-{i}")
    return TaskRunContext.get().task_run.id, os.getpid()


def test_tasks_in_a_process_pool_record_their_runs():
    from headwater import ProcessPoolTaskRunner

    @flow(task_runner=ProcessPoolTaskRunner(max_workers=2))
    def pooled():
        return FlowRunContext.get().flow_run.id, [f.result() for f in in_worker.map(range(2))]

    import os

    flow_run_id, results = pooled()
    assert all(pid != os.getpid() for _, pid in results)  # really made in worker processes
    for i, (task_run_id, _) in enumerate(results):
        made = Artifact.get(f"worker-{i}")
        assert (str(made.flow_run_id), str(made.task_run_id)) == (flow_run_id, task_run_id)


VERSION_WRITER = """
import sys
from headwater.artifacts import create_markdown_artifact
for i in range(10):
    create_markdown_artifact(f"{sys.argv[1]}-{i}", key="shared-key")
"""


def test_processes_adding_versions_of_one_key_at_once_lose_none():
    procs = [
        subprocess.Popen([sys.executable, "-c", VERSION_WRITER, str(n)], stderr=subprocess.PIPE,
                         text=True)
        for n in range(4)
    ]  # fmt: skip
    errors = [p.communicate(timeout=180)[1] for p in procs]
    assert all(p.returncode == 0 for p in procs), errors
    versions = get_artifact_storage().versions("shared-key")
    assert sorted(v["data"] for v in versions) == sorted(
        f"{n}-{i}" for n in range(4) for i in range(10)
    )
    for n in range(4):  # each writer's versions appear in the order it made them
        mine = [v["data"] for v in reversed(versions) if v["data"].startswith(f"{n}-")]
        assert mine == [f"{n}-{i}" for i in range(10)]
    assert str(Artifact.get("shared-key").id) == versions[0]["id"]
