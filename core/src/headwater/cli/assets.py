"""`headwater asset ls / inspect`: the assets recorded in HEADWATER_HOME and their lineage.

The catalog is read back from the asset events (headwater.assets.lineage records
them with the run history), so every process sharing the home sees the same
assets with no table of its own: an asset is known once it was materialized or
referenced. Events are read with a name filter the store evaluates in SQL.
It lives here rather than in headwater.assets so that listing does not import
the models (pydantic) and the task machinery.
"""

from __future__ import annotations

from typing import Any

import click

from headwater.cli.runs import (
    OUTPUT_OPTION,
    echo_fields,
    echo_json,
    echo_table,
    fmt_time,
    open_store,
)
from headwater.events.filters import EventFilter, read_events
from headwater.events.names import canonical
from headwater.history.base import RunHistory

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


FIELDS = [
    "key", "name", "last_state", "last_materialized", "materializations", "materialized_by",
    "upstream", "downstream", "last_flow_run_id", "last_task_run_id", "metadata",
]  # fmt: skip


@click.group("asset")
def asset_group() -> None:
    """List assets materialized by @materialize tasks, with their lineage."""


@asset_group.command("ls")
@OUTPUT_OPTION
def ls(output: str) -> None:
    """List known assets: last materialization, its state, and upstream assets."""
    assets = list_assets(open_store())
    if output == "json":
        echo_json(assets)
        return
    if not assets:
        click.echo("No assets recorded yet: run a flow with @materialize tasks.")
        return
    rows = [
        [a["key"], a["last_state"] or "referenced", fmt_time(a["last_materialized"]),
         ", ".join(a["upstream"]) or "-"]
        for a in assets
    ]  # fmt: skip
    echo_table(["KEY", "STATE", "LAST MATERIALIZED", "UPSTREAM"], rows)


@asset_group.command("inspect")
@click.argument("key")
@OUTPUT_OPTION
def inspect(key: str, output: str) -> None:
    """Show one asset: its last materialization, metadata, upstream and downstream assets."""
    found = list_assets(open_store(), key=key)
    if not found:
        raise click.ClickException(
            f"No asset with key {key!r} is recorded. Run `headwater asset ls` to see known keys."
        )
    asset = found[0]
    if output == "json":
        echo_json(asset)
        return
    echo_fields({**asset, "last_materialized": fmt_time(asset["last_materialized"])}, FIELDS)
