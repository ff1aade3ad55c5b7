"""The assets a home knows, read back from their events: last materialization, lineage.

Asset events are recorded with the run history (see `lineage`), so every
process sharing the home sees the same catalog, with no table of its own: an
asset is known once it was materialized or referenced. Events are read with a
name filter the store evaluates in SQL.
"""

from __future__ import annotations

from typing import Any

from headwater.events.filters import EventFilter, read_events
from headwater.events.names import canonical
from headwater.history.base import RunHistory

__all__ = ["asset_events", "list_assets"]

_ASSET_EVENTS = EventFilter(event=("headwater.asset.",))


def _id(labels: dict[str, Any] | None) -> str:
    labels = labels or {}
    return str(labels.get("headwater.resource.id") or labels.get("prefect.resource.id") or "")


def _role(labels: dict[str, Any]) -> str:
    return str(labels.get("headwater.resource.role") or labels.get("prefect.resource.role") or "")


def asset_events(history: RunHistory, key: str | None = None) -> list[dict[str, Any]]:
    """Asset events, oldest first (only those about `key` when given)."""
    where = (
        _ASSET_EVENTS if key is None else EventFilter(event=_ASSET_EVENTS.event, resource_id=(key,))
    )
    return read_events(history, where, limit=None, oldest_first=True)


def list_assets(history: RunHistory, key: str | None = None) -> list[dict[str, Any]]:
    """One dict per asset, by key: `key`, `name`, `last_materialized` (epoch seconds or
    None), `last_state` ("succeeded" / "failed" / None), `materializations`, `upstream`
    (keys, from the last materialization), `downstream` (keys of assets whose last
    materialization read it), `last_flow_run_id`, `last_task_run_id`, `metadata`."""
    assets: dict[str, dict[str, Any]] = {}
    for event in asset_events(history):
        resource = event.get("resource") or {}
        asset_key = _id(resource)
        entry = assets.setdefault(asset_key, _blank(asset_key))
        if resource.get("headwater.resource.name") or resource.get("prefect.resource.name"):
            entry["name"] = resource.get("headwater.resource.name") or resource.get(
                "prefect.resource.name"
            )
        name = canonical(event["event"])
        if not name.startswith("headwater.asset.materialization."):
            continue
        related = event.get("related") or []
        entry["last_materialized"] = event["occurred"]
        entry["last_state"] = name.rsplit(".", 1)[1]
        entry["materializations"] += 1
        entry["upstream"] = [_id(r) for r in related if _role(r) == "asset"]
        entry["materialized_by"] = next(
            (_id(r) for r in related if _role(r) == "asset-materialized-by"), None
        )
        entry["last_flow_run_id"] = _run_id(related, "flow-run")
        entry["last_task_run_id"] = _run_id(related, "task-run")
        entry["metadata"] = event.get("payload") or {}
    for entry in assets.values():
        for upstream in entry["upstream"]:
            assets.setdefault(upstream, _blank(upstream))["downstream"].append(entry["key"])
    found = sorted(assets.values(), key=lambda e: e["key"])
    return [e for e in found if e["key"] == key] if key is not None else found


def _blank(key: str) -> dict[str, Any]:
    return {
        "key": key,
        "name": None,
        "last_materialized": None,
        "last_state": None,
        "materializations": 0,
        "materialized_by": None,
        "upstream": [],
        "downstream": [],
        "last_flow_run_id": None,
        "last_task_run_id": None,
        "metadata": {},
    }


def _run_id(related: list[dict[str, Any]], role: str) -> str | None:
    prefix = f"headwater.{role}."
    for labels in related:
        if _role(labels) == role:
            return canonical(_id(labels)).removeprefix(prefix)
    return None
