"""Store rows -> JSON in Prefect's response shape (ISO 8601 UTC times, a nested `state`)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

_TIMES = ("created", "start_time", "end_time")


def iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat().replace("+00:00", "Z")


def run(row: dict[str, Any]) -> dict[str, Any]:
    """A flow or task run: the store's fields, times as ISO strings, Prefect's `state`."""
    out = {k: v for k, v in row.items() if not k.startswith("state_") and k != "duration"}
    for key in _TIMES:
        out[key] = iso(row.get(key))
    out["tags"] = row.get("tags") or []  # rows written without tags read as none
    out["expected_start_time"] = out["created"]
    out["total_run_time"] = row.get("duration") or 0.0
    out["state_type"] = row.get("state_type")
    out["state_name"] = row.get("state_name")
    out["state"] = (
        None
        if row.get("state_type") is None
        else {
            "type": row["state_type"],
            "name": row.get("state_name"),
            "message": row.get("state_message"),
            "timestamp": iso(row.get("state_timestamp")),
        }
    )
    if "task_inputs" in row:  # Prefect: parameter -> [{"input_type": "task_run", "id": ...}]
        out["task_inputs"] = {
            name: [{"input_type": "task_run", "id": i} for i in ids]
            for name, ids in (row.get("task_inputs") or {}).items()
        }
    return out


def log(row: dict[str, Any], flow_run_id: str | None) -> dict[str, Any]:
    """A log line as Prefect's `Log`: name (the logger), level, message, timestamp, run ids."""
    is_task = row.get("run_kind") == "task"
    return {
        "name": row.get("logger"),
        "level": row["level"],
        "message": row["message"],
        "timestamp": iso(row["timestamp"]),
        "flow_run_id": flow_run_id,
        "task_run_id": row.get("run_id") if is_task else None,
        "run_name": row.get("run_name"),
    }
