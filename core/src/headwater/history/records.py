"""The records a run produces: what the engine hands to a `RunRecorder`.

These are plain slotted objects and tuples, so that creating one costs about a
microsecond, they pickle cheaply when a remote worker sends them back to the
orchestrating process, and the store can hand state changes and log lines to
SQLite without converting them. `FlowRun` and `TaskRun` are also what state hooks
receive as their `flow_run` / `task_run` argument.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple


@dataclass(slots=True, eq=False)
class FlowRun:
    id: str
    name: str
    flow_name: str
    flow_version: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    parent_task_run_id: str | None = None
    root_flow_run_id: str | None = None
    created: float = 0.0
    run_count: int = 0
    #: `State` objects are attached by the engine; not persisted from here.
    state: Any = None


@dataclass(slots=True, eq=False)
class TaskRun:
    id: str
    name: str
    task_key: str
    flow_run_id: str | None = None
    dynamic_key: str = "0"
    #: parameter name -> ids of the upstream task runs whose results fed it
    task_inputs: dict[str, list[str]] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    created: float = 0.0
    run_count: int = 0
    cache_key: str | None = None
    state: Any = None


class LogEntry(NamedTuple):
    """One log line of a run. A tuple in the column order of the `logs` table, so
    the store's writer passes it to SQLite as it is."""

    run_id: str | None
    #: "flow" or "task"
    run_kind: str
    level: int
    message: str
    timestamp: float
    logger: str
    #: the run name shown in console lines, e.g. "add-3f2"
    run_name: str = ""


class StateChange(NamedTuple):
    """One state a run entered. A tuple in the column order of the `states` table."""

    run_id: str
    #: "flow" or "task"
    run_kind: str
    type: str
    name: str
    message: str | None
    timestamp: float


@dataclass(slots=True)
class Event:
    id: str
    event: str
    occurred: float
    resource: dict[str, str]
    payload: dict[str, Any] = field(default_factory=dict)
    related: list[dict[str, str]] = field(default_factory=list)
    follows: str | None = None
