"""`headwater asset ls / inspect`: the assets recorded in HEADWATER_HOME and their lineage."""

from __future__ import annotations

import click

from headwater.cli.runs import (
    OUTPUT_OPTION,
    echo_fields,
    echo_json,
    echo_table,
    fmt_time,
    open_store,
)

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
    from headwater.assets.catalog import list_assets

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
    from headwater.assets.catalog import list_assets

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
