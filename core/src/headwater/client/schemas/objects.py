"""Prefect's `prefect.client.schemas.objects` names, mapped onto headwater's own types.

- `FlowRun`, `TaskRun`: the run records the engine keeps (`flow_context.flow_run`,
  `task_context.task_run`, the `flow_run` argument of state hooks).
- `State`, `StateType`: headwater's states, which runs return and hooks receive.
- `LogEntry` as `Log`.

Prefect's API-only objects (Flow, Deployment, WorkPool as server rows) are not
here: they come with the server client.
"""

from headwater.history.records import FlowRun, LogEntry, TaskRun
from headwater.states import State, StateType

Log = LogEntry

__all__ = ["FlowRun", "Log", "State", "StateType", "TaskRun"]
