"""Record factories for the store tests: they drive the store directly, not the engine."""

from __future__ import annotations

import time
import uuid

from headwater.history.records import Event, FlowRun, LogEntry, StateChange, TaskRun


def new_id() -> str:
    return str(uuid.uuid4())


def flow_run(name: str = "calm-otter", flow_name: str = "etl", **kw: object) -> FlowRun:
    return FlowRun(id=new_id(), name=name, flow_name=flow_name, created=time.time(), **kw)  # type: ignore[arg-type]


def task_run(flow_run_id: str | None, i: int = 0, **kw: object) -> TaskRun:
    return TaskRun(
        id=new_id(), name=f"add-{i}", task_key="add", flow_run_id=flow_run_id,
        dynamic_key=str(i), created=time.time(), **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def state(
    run_id: str, kind: str, type_: str, name: str | None = None, message: str | None = None
) -> StateChange:
    return StateChange(run_id, kind, type_, name or type_.title(), message, time.time())


def log(
    run_id: str | None, kind: str, message: str, run_name: str = "", level: int = 20
) -> LogEntry:
    return LogEntry(run_id, kind, level, message, time.time(), "headwater.test", run_name)


def event(name: str, resource_id: str) -> Event:
    return Event(
        id=new_id(), event=name, occurred=time.time(),
        resource={"headwater.resource.id": resource_id}, payload={"n": 1},
        related=[{"headwater.resource.role": "flow"}],
    )  # fmt: skip


def record_task(store, fr_id: str, i: int, final: str = "COMPLETED") -> TaskRun:
    """A task run with Pending, Running and a final state, as the engine records one."""
    tr = task_run(fr_id, i)
    store.record_task_run(tr)
    store.record_state(state(tr.id, "task", "PENDING"))
    store.record_state(state(tr.id, "task", "RUNNING"))
    store.record_state(state(tr.id, "task", final))
    return tr
