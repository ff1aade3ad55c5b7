"""`headwater artifact ls / inspect / delete`, as Prefect's `prefect artifact`.

`ls` shows the latest version of each key (`--all`: every version, and artifacts
with no key); `inspect KEY` prints the key's latest version as Prefect's JSON
(`--all-versions`: every version, newest first); `delete KEY` removes every
version (`--id ID`: one artifact). Deleting asks first only at a terminal.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from headwater.cli.home_errors import HomeDatabaseGroup
from headwater.cli.runs import OUTPUT_OPTION, echo_json, echo_table, fmt_time


def _as_json(row: dict[str, Any]) -> dict[str, Any]:
    """A stored artifact as Prefect's API shows one."""
    from headwater.artifacts import ArtifactResponse

    return ArtifactResponse.from_row(row).model_dump(mode="json")


def interactive() -> bool:
    """Whether a person is at the terminal (then deleting asks first, as Prefect's CLI does)."""
    return sys.stdin.isatty()


@click.group("artifact", cls=HomeDatabaseGroup)
def artifact_group() -> None:
    """Artifacts: markdown, tables, links, progress and images that runs published."""


@artifact_group.command("ls")
@click.option("--limit", default=100, show_default=True, help="How many artifacts to list.")
@click.option(
    "--all", "-a", "all_versions", is_flag=True, help="Every version, not only each key's latest."
)
@OUTPUT_OPTION
def ls(limit: int, all_versions: bool, output: str) -> None:
    """List the latest version of each artifact key (`--all`: every artifact)."""
    from headwater.history.artifact_store import get_artifact_storage

    rows = get_artifact_storage().list(limit=limit, latest_only=not all_versions)
    if output == "json":
        echo_json([_as_json(r) for r in rows])
        return
    if not rows:
        click.echo("No artifacts. Runs create them with headwater.artifacts.create_*_artifact.")
        return
    table = [[r["id"], r["key"] or "-", r["type"] or "-", fmt_time(r["updated"])] for r in rows]
    echo_table(["ID", "KEY", "TYPE", "UPDATED"], table)


@artifact_group.command("inspect")
@click.argument("key")
@click.option("--all-versions", is_flag=True, help="Every version of the key, newest first.")
@click.option("--limit", default=None, type=int, help="At most this many versions.")
@click.option(
    "-o",
    "--output",
    type=click.Choice(["json"], case_sensitive=False),
    default="json",
    help="Always JSON (accepted for Prefect's `-o json`).",
)
def inspect(key: str, all_versions: bool, limit: int | None, output: str) -> None:
    """Print an artifact key's latest version as JSON (`--all-versions`: every version)."""
    from headwater.history.artifact_store import get_artifact_storage

    count = limit if all_versions else 1
    rows = get_artifact_storage().versions(key, limit=count)
    if not rows:
        raise click.ClickException(
            f"Artifact {key!r} not found. See `headwater artifact ls` for the keys of this home."
        )
    echo_json([_as_json(r) for r in rows])


@artifact_group.command("delete")
@click.argument("key", required=False)
@click.option("--id", "artifact_id", default=None, help="Delete this one artifact by id.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def delete(key: str | None, artifact_id: str | None, yes: bool) -> None:
    """Delete every version of KEY, or one artifact with --id."""
    from headwater.history.artifact_store import get_artifact_storage

    if (key is None) == (artifact_id is None):
        raise click.UsageError("give either an artifact KEY or --id ID (exactly one)")
    storage = get_artifact_storage()
    ask = not yes and interactive()
    if artifact_id is not None:
        if storage.read(artifact_id) is None:
            raise click.ClickException(
                f"Artifact with id {artifact_id!r} not found. See `headwater artifact ls --all`."
            )
        if ask:
            click.confirm(f"Delete the artifact with id {artifact_id!r}?", abort=True)
        storage.delete(artifact_id)
        click.echo(f"Deleted artifact with id {artifact_id!r}.")
        return
    assert key is not None
    versions = storage.versions(key)
    if not versions:
        raise click.ClickException(
            f"Artifact with key {key!r} not found. See `headwater artifact ls`, or delete "
            "one artifact with --id."
        )
    if ask:
        click.confirm(f"Delete {len(versions)} artifact(s) with key {key!r}?", abort=True)
    deleted = storage.delete_key(key)
    click.echo(f"Deleted {deleted} artifact(s) with key {key!r}.")
