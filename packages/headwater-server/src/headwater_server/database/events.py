"""A state change's event, built in Python as core's `events` view builds it in SQLite.

The embedded store derives state-change events when they are read (a SQLite
view); a server database stores them in full when the batch is written, so
PostgreSQL reads `event_rows` as they are. Same id, name, resource, payload and
related resources as the view gives for the same rows.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

__all__ = ["iso", "state_event_row"]

# One encoder for every row: json.dumps with separators builds a new one per call.
_encode = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode
#: a str as a JSON string, exactly as `_encode` writes one (ASCII, escaped)
_q = json.encoder.encode_basestring_ascii


@lru_cache(maxsize=4096)
def _second(whole: int) -> str:
    return datetime.fromtimestamp(whole, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def iso(ts: float) -> str:
    """`ts` as the view writes it: ISO 8601 in UTC, always with microseconds."""
    whole = int(ts)
    micro = min(999_999, round((ts - whole) * 1_000_000))
    return f"{_second(whole)}.{micro:06d}+00:00"


def _related(rid: str, role: str, name: str | None = None, named: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"headwater.resource.id": rid, "headwater.resource.role": role}
    if named:
        out["headwater.resource.name"] = name
    return out


def _state_json(state: dict[str, Any]) -> str:
    """A state as the event payload shows it: type, name and message ("" for none)."""
    return (
        f'{{"type":{_q(state["type"])},"name":{_q(state["name"])},'
        f'"message":{_q(state["message"] or "")}}}'
    )


@lru_cache(maxsize=1024)
def _tag_set(tags_json: str) -> frozenset[str]:
    return frozenset(json.loads(tags_json) or ())


def _tags(*runs: dict[str, Any] | None) -> tuple[str, ...]:
    found: set[str] = set()
    for run in runs:
        if run is not None and run.get("tags_json"):
            found.update(_tag_set(run["tags_json"]))
    return tuple(sorted(found))


@lru_cache(maxsize=4096)
def _related_json(
    kind: str,
    flow: tuple[str, str, str] | None,
    parent_task: tuple[str, str] | None,
    tags: tuple[str, ...],
) -> str:
    """The related resources of a state event: the same for every state of a run (and
    for every task run of one flow run with the same tags), so encoded once."""
    related: list[dict[str, Any]] = []
    if kind == "task" and flow is not None:
        related.append(_related(f"headwater.flow-run.{flow[0]}", "flow-run", flow[1]))
    if kind == "flow" and parent_task is not None:
        related.append(_related(f"headwater.task-run.{parent_task[0]}", "task-run", parent_task[1]))
    if flow is not None:
        related.append(_related(f"headwater.flow.{flow[2]}", "flow", flow[2]))
    related += [_related(f"headwater.tag.{tag}", "tag", named=False) for tag in tags]
    return _encode(related)


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
    # written out rather than json-encoded dicts (a batch has thousands of states);
    # the same text `_encode` gives for the same dicts (a test compares them)
    resource = (
        f'{{"headwater.resource.id":{_q(f"headwater.{kind}-run.{run_id}")},'
        f'"headwater.resource.name":{_q((run or {}).get("name") or "")},'
        f'"headwater.state-message":{_q(state["message"] or "")},'
        f'"headwater.state-name":{_q(state["name"])},'
        f'"headwater.state-timestamp":"{iso(state["timestamp"])}",'
        f'"headwater.state-type":{_q(state["type"])}}}'
    )
    payload = (
        f'{{"intended":{{"from":{_q(previous["type"]) if previous else "null"},'
        f'"to":{_q(state["type"])}}},'
        f'"initial_state":{_state_json(previous) if previous else "null"},'
        f'"validated_state":{_state_json(state)}}}'
    )
    related = _related_json(
        kind,
        (flow["id"], flow["name"], flow["flow_name"]) if flow is not None else None,
        (parent_task["id"], parent_task["name"]) if parent_task is not None else None,
        _tags(task if kind == "task" else None, flow),
    )
    return {
        "id": f"{run_id[:24]}{state['seq']:012x}",
        "event": f"headwater.{kind}-run.{state['name']}",
        "occurred": state["timestamp"],
        "resource_json": resource,
        "payload_json": payload,
        "related_json": related,
        "follows": None,
        "state_seq": state["seq"],
    }
