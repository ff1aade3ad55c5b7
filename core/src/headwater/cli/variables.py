"""`headwater variable set / get / ls / inspect / unset`, as Prefect's `prefect variable`.

`set NAME VALUE` stores VALUE parsed as JSON when it parses (`42`, `true`,
`'{"a": 1}'`), else as the string given. `unset` asks for confirmation only when
run at a terminal; `--yes` skips the question, and scripts are never asked.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from typing import Any

import click

from headwater.cli.home_errors import HomeDatabaseGroup
from headwater.cli.runs import OUTPUT_OPTION, echo_json, echo_table, fmt_time


def parse_value(text: str) -> Any:
    """VALUE as JSON if it parses, else the string itself (as Prefect's CLI does)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _not_found(name: str) -> click.ClickException:
    return click.ClickException(
        f"Variable {name!r} not found. See `headwater variable ls` for the variables "
        f"of this home, or create it with `headwater variable set {name} VALUE`."
    )


def _as_json(row: dict[str, Any]) -> dict[str, Any]:
    """A stored variable as Prefect's API shows one (times in ISO 8601, UTC)."""

    def iso(ts: float) -> str:
        return datetime.fromtimestamp(ts, timezone.utc).isoformat()

    return {
        "id": row["id"],
        "created": iso(row["created"]),
        "updated": iso(row["updated"]),
        "name": row["name"],
        "value": json.loads(row["value_json"]),
        "tags": row["tags"],
    }


def interactive() -> bool:
    """Whether a person is at the terminal (then deleting asks first, as Prefect's CLI does)."""
    return sys.stdin.isatty()


@click.group("variable", cls=HomeDatabaseGroup)
def variable_group() -> None:
    """Variables: named JSON values shared by every flow and process on this home."""


@variable_group.command("set")
@click.argument("name")
@click.argument("value")
@click.option("--overwrite", is_flag=True, help="Overwrite the variable if it already exists.")
@click.option("--tag", "tags", multiple=True, help="Tag to associate with the variable.")
def set_(name: str, value: str, overwrite: bool, tags: tuple[str, ...]) -> None:
    """Set a variable (VALUE is parsed as JSON when it parses, else kept as a string)."""
    from headwater.variables import Variable

    try:
        Variable.set(name, parse_value(value), tags=list(tags), overwrite=overwrite)
    except ValueError as exc:
        message = str(exc)
        if "already exists" in message:
            message = f"Variable {name!r} already exists. Use `--overwrite` to update it."
        raise click.ClickException(message) from None
    click.echo(f"Set variable {name!r}.")


@variable_group.command("get")
@click.argument("name")
def get(name: str) -> None:
    """Print a variable's value as JSON."""
    from headwater.history.variable_store import get_variable_storage

    row = get_variable_storage().read(name)
    if row is None:
        raise _not_found(name)
    click.echo(json.dumps(json.loads(row["value_json"]), ensure_ascii=False))


@variable_group.command("ls")
@click.option("--limit", default=100, show_default=True, help="How many variables to list.")
@OUTPUT_OPTION
def ls(limit: int, output: str) -> None:
    """List variables, by name."""
    from headwater.history.variable_store import get_variable_storage

    rows = get_variable_storage().list(limit=limit)
    if output == "json":
        echo_json([_as_json(r) for r in rows])
        return
    if not rows:
        click.echo("No variables. Set one with `headwater variable set NAME VALUE`.")
        return
    table = []
    for r in rows:
        text = json.dumps(json.loads(r["value_json"]), ensure_ascii=False)
        shown = text if len(text) <= 50 else text[:47] + "..."
        tags = ", ".join(r["tags"]) or "-"
        table.append([r["name"], shown, tags, fmt_time(r["created"]), fmt_time(r["updated"])])
    echo_table(["NAME", "VALUE", "TAGS", "CREATED", "UPDATED"], table)


@variable_group.command("inspect")
@click.argument("name")
@OUTPUT_OPTION
def inspect(name: str, output: str) -> None:
    """Show a variable: id, value, tags, when it was created and last set."""
    from headwater.history.variable_store import get_variable_storage

    row = get_variable_storage().read(name)
    if row is None:
        raise _not_found(name)
    shown = _as_json(row)
    if output == "json":
        echo_json(shown)
        return
    width = max(len(k) for k in shown) + 1
    for key, value in shown.items():
        if key in ("created", "updated"):
            value = fmt_time(row[key])
        elif key in ("value", "tags"):
            value = json.dumps(value, ensure_ascii=False)
        click.echo(f"{(key + ':').ljust(width)} {value}")


@variable_group.command("unset")
@click.argument("name")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def unset(name: str, yes: bool) -> None:
    """Delete a variable (alias: delete). Asks first only when run at a terminal."""
    from headwater.history.variable_store import get_variable_storage

    storage = get_variable_storage()
    if storage.read(name) is None:
        raise _not_found(name)
    if not yes and interactive():
        click.confirm(f"Are you sure you want to unset variable {name!r}?", abort=True)
    if not storage.delete(name):
        raise _not_found(name)
    click.echo(f"Unset variable {name!r}.")


variable_group.add_command(unset, "delete")
