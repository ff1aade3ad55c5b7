"""A state change's event, built in Python as core's `events` view builds it in SQLite.

The embedded store derives state-change events when they are read (a SQLite
view); a server database stores them in full when the batch is written, so
PostgreSQL reads `event_rows` as they are. Same id, name, resource, payload and
related resources as the view gives for the same rows.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

__all__ = ["iso", "state_event_row"]


def iso(ts: float) -> str:
    """`ts` as the view writes it: ISO 8601 in UTC, always with microseconds."""
    whole = int(ts)
    micro = min(999_999, round((ts - whole) * 1_000_000))
    moment = datetime.fromtimestamp(whole, tz=timezone.utc)
    return f"{moment.strftime('%Y-%m-%dT%H:%M:%S')}.{micro:06d}+00:00"


def _related(rid: str, role: str, name: str | None = None, named: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"headwater.resource.id": rid, "headwater.resource.role": role}
    if named:
        out["headwater.resource.name"] = name
    return out


def _state(state: dict[str, Any]) -> dict[str, Any]:
    return {"type": state["type"], "name": state["name"], "message": state["message"] or ""}


def _tags(*runs: dict[str, Any] | None) -> list[str]:
    found: set[str] = set()
    for run in runs:
        if run is not None and run.get("tags_json"):
            found.update(json.loads(run["tags_json"]) or ())
    return sorted(found)


def state_event_row(
    state: dict[str, Any],
    previous: dict[str, Any] | None,
    task: dict[str, Any] | None,
    flow: dict[str, Any] | None,
    parent_task: dict[str, Any] | None,
) -> dict[str, Any]:
    """The `event_rows` row of one state row (with its `seq`).

    `task`: the task run (task states); `flow`: the flow run (the run itself, or the
    task run's flow run); `parent_task`: the task run a subflow runs as;
    `previous`: the run's state before this one.
    """
    kind, run_id = state["run_kind"], state["run_id"]
    run = task if kind == "task" else flow
    resource = {
        "headwater.resource.id": f"headwater.{kind}-run.{run_id}",
        "headwater.resource.name": (run or {}).get("name") or "",
        "headwater.state-message": state["message"] or "",
        "headwater.state-name": state["name"],
        "headwater.state-timestamp": iso(state["timestamp"]),
        "headwater.state-type": state["type"],
    }
    payload = {
        "intended": {"from": previous["type"] if previous else None, "to": state["type"]},
        "initial_state": _state(previous) if previous else None,
        "validated_state": _state(state),
    }
    related: list[dict[str, Any]] = []
    if kind == "task" and flow is not None:
        related.append(_related(f"headwater.flow-run.{flow['id']}", "flow-run", flow["name"]))
    if kind == "flow" and parent_task is not None:
        related.append(
            _related(f"headwater.task-run.{parent_task['id']}", "task-run", parent_task["name"])
        )
    if flow is not None:
        related.append(_related(f"headwater.flow.{flow['flow_name']}", "flow", flow["flow_name"]))
    related += [
        _related(f"headwater.tag.{tag}", "tag", named=False)
        for tag in _tags(task if kind == "task" else None, flow)
    ]
    return {
        "id": f"{run_id[:24]}{state['seq']:012x}",
        "event": f"headwater.{kind}-run.{state['name']}",
        "occurred": state["timestamp"],
        "resource_json": json.dumps(resource, separators=(",", ":")),
        "payload_json": json.dumps(payload, separators=(",", ":")),
        "related_json": json.dumps(related, separators=(",", ":")),
        "follows": None,
        "state_seq": state["seq"],
    }
