"""Run records as the JSON body of `POST /api/records` (one batch; see headwater_server).

States and logs go as arrays in their tuples' field order (the C encoder writes
thousands of them in one call); runs and events as objects with their fields'
names. A body holds a batch id (the server applies each id once) and the client
(`id` unique per process, `alive_at` for the server's crash judgement).
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from typing import Any

from headwater.history.batch import dumps, json_default
from headwater.history.records import Event, FlowRun, LogEntry, StateChange, TaskRun

__all__ = ["Client", "encode_batch", "heartbeat_body", "split_batch"]

_encode = json.JSONEncoder(default=json_default, separators=(",", ":"), check_circular=False).encode
_encode_safe = json.JSONEncoder(default=json_default, separators=(",", ":")).encode


class Client:
    """Who is sending: a fresh id per process (and after fork)."""

    def __init__(self) -> None:
        self.id = uuid.uuid4().hex
        self.pid = os.getpid()
        self.hostname = socket.gethostname()

    def describe(self) -> dict[str, Any]:
        return {"id": self.id, "pid": self.pid, "hostname": self.hostname, "alive_at": time.time()}


def _flow_run(r: FlowRun) -> dict[str, Any]:
    return {"id": r.id, "name": r.name, "flow_name": r.flow_name, "flow_version": r.flow_version,
            "parameters": r.parameters, "tags": r.tags, "parent_task_run_id": r.parent_task_run_id,
            "root_flow_run_id": r.root_flow_run_id, "created": r.created,
            "run_count": r.run_count}  # fmt: skip


def _task_run(r: TaskRun) -> dict[str, Any]:
    return {"id": r.id, "name": r.name, "task_key": r.task_key, "flow_run_id": r.flow_run_id,
            "dynamic_key": r.dynamic_key, "task_inputs": r.task_inputs, "tags": r.tags,
            "created": r.created, "run_count": r.run_count, "cache_key": r.cache_key}  # fmt: skip


def _event(e: Event) -> dict[str, Any]:
    return {"id": e.id, "event": e.event, "occurred": e.occurred, "resource": e.resource,
            "payload": e.payload, "related": e.related, "follows": e.follows}  # fmt: skip


def encode_batch(
    records: list[Any], client: Client
) -> tuple[bytes | None, int, list[threading.Event]]:
    """(body, record count, flush markers) for queued records; body None if none are history."""
    flow_runs: list[dict[str, Any]] = []
    task_runs: list[dict[str, Any]] = []
    states: list[StateChange] = []
    logs: list[LogEntry] = []
    events: list[dict[str, Any]] = []
    markers: list[threading.Event] = []
    for rec in records:
        kind = type(rec)
        if kind is StateChange:
            states.append(rec)
        elif kind is LogEntry:
            logs.append(rec)
        elif kind is TaskRun:
            task_runs.append(_task_run(rec))
        elif kind is FlowRun:
            flow_runs.append(_flow_run(rec))
        elif kind is Event:
            events.append(_event(rec))
        elif isinstance(rec, threading.Event):
            markers.append(rec)
    count = len(flow_runs) + len(task_runs) + len(states) + len(logs) + len(events)
    if not count:
        return None, 0, markers
    body = {"batch_id": uuid.uuid4().hex, "client": client.describe(), "flow_runs": flow_runs,
            "task_runs": task_runs, "states": states, "logs": logs, "events": events}  # fmt: skip
    return _to_bytes(body), count, markers


def _to_bytes(body: dict[str, Any]) -> bytes:
    for _ in range(3):
        try:
            return _encode(body).encode()
        except RuntimeError:  # mutated while read, or a cycle: try again, then field by field
            continue
        except (TypeError, ValueError):
            break
    for key in ("flow_runs", "task_runs", "events"):
        for item in body[key]:
            for field, value in item.items():
                if isinstance(value, (dict, list)):
                    item[field] = json.loads(dumps(value))
    return _encode_safe(body).encode()


def heartbeat_body(client: Client) -> bytes:
    return _encode({"client": client.describe()}).encode()


_LISTS = ("flow_runs", "task_runs", "states", "logs", "events")


def split_batch(body: bytes) -> tuple[tuple[bytes, int], tuple[bytes, int]] | None:
    """A batch as two (body, record count) halves, or None for one record.

    The run records stay in the first half (so the second half's state changes find
    their runs), unless there is nothing else to split. The halves' ids follow from
    the batch's (`<id>.1`, `<id>.2`): a batch split again after a crash (a spill
    file resent by the next process) gets the same ids, so no half is applied twice.
    """
    data = json.loads(body)
    rest = sum(len(data.get(k) or ()) for k in _LISTS[2:])
    runs = sum(len(data.get(k) or ()) for k in _LISTS[:2])
    if rest + runs <= 1:
        return None
    keys = _LISTS[2:] if rest > 1 else _LISTS
    parent = data.get("batch_id") or uuid.uuid4().hex
    first = {**data, "batch_id": f"{parent}.1"}
    second = {**data, "batch_id": f"{parent}.2"}
    for key in _LISTS:
        items = data.get(key) or []
        if key in keys:
            half = len(items) // 2
            first[key], second[key] = items[:half], items[half:]
        else:
            first[key], second[key] = items, []
    count = [sum(len(part[k]) for k in _LISTS) for part in (first, second)]
    return (_encode(first).encode(), count[0]), (_encode(second).encode(), count[1])
