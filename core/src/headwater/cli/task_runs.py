"""`headwater task-run ls / inspect / logs`: read task-run history from the run store."""

from __future__ import annotations

import click

from headwater.cli.run_logs import echo_logs, log_options
from headwater.cli.run_refs import resolve_run, short_ids
from headwater.cli.runs import (
    OUTPUT_OPTION,
    STATE_OPTION,
    HistoryGroup,
    echo_fields,
    echo_json,
    echo_states,
    echo_table,
    fmt_duration,
    fmt_time,
    open_store,
    state_label,
)

FIELDS = [
    "id", "name", "task_key", "flow_run_id", "dynamic_key", "state_type", "state_name",
    "state_message", "created", "start_time", "end_time", "duration", "run_count", "tags",
    "cache_key", "task_inputs",
]  # fmt: skip


@click.group("task-run", cls=HistoryGroup)
def task_run_group() -> None:
    """Inspect task runs recorded in HEADWATER_HOME."""


@task_run_group.command("ls")
@click.option(
    "--flow-run", "flow_run_id", default=None, metavar="ID",
    help="Only task runs of this flow run (its id, short id, id prefix or name).",
)  # fmt: skip
@STATE_OPTION
@click.option(
    "--limit", default=50, show_default=True, type=click.IntRange(min=0),
    help="Show at most this many task runs (newest first).",
)  # fmt: skip
@OUTPUT_OPTION
def ls(flow_run_id: str | None, state: str | None, limit: int, output: str) -> None:
    """List task runs, newest first."""
    store = open_store()
    if flow_run_id is not None:
        flow_run_id = resolve_run(store, "flow", flow_run_id)["id"]
    runs = store.read_task_runs(flow_run_id=flow_run_id, state=state, limit=limit)
    if output == "json":
        echo_json(runs)
        return
    if not runs:
        click.echo("No task runs found.")
        return
    ids = short_ids([r["id"] for r in runs])
    rows = [
        [short, r["name"], state_label(r), fmt_time(r.get("start_time")),
         fmt_duration(r.get("duration"))]
        for short, r in zip(ids, runs, strict=True)
    ]  # fmt: skip
    echo_table(["ID", "NAME", "STATE", "START", "DURATION"], rows)


@task_run_group.command("inspect")
@click.argument("run_id", metavar="ID")
@OUTPUT_OPTION
def inspect(run_id: str, output: str) -> None:
    """Show one task run: fields, inputs (upstream task runs), state history.

    ID is a task run's id, the short id `task-run ls` shows, a unique prefix
    of the id, or the run's name.
    """
    store = open_store()
    run = resolve_run(store, "task", run_id)
    states = store.read_states(run["id"])
    if output == "json":
        echo_json({**run, "states": states})
        return
    echo_fields(run, FIELDS)
    echo_states(states)


@task_run_group.command("logs")
@click.argument("run_id", metavar="ID")
@log_options
def logs(
    run_id: str, head: int | None, tail: int | None, num_logs: int | None, reverse: bool
) -> None:
    """Print one task run's logs, oldest first.

    ID is a task run's id, the short id `task-run ls` shows, a unique prefix
    of the id, or the run's name.
    """
    store = open_store()
    run = resolve_run(store, "task", run_id)
    echo_logs(store.read_logs(run["id"], include_task_runs=False), head, tail, num_logs, reverse)
