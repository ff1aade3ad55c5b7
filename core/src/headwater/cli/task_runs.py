"""`headwater task-run ls / inspect / logs`: read task-run history from the run store."""

from __future__ import annotations

import click

from headwater.cli.run_logs import echo_logs, log_options
from headwater.cli.runs import (
    OUTPUT_OPTION,
    STATE_OPTION,
    echo_fields,
    echo_json,
    echo_states,
    echo_table,
    fmt_duration,
    fmt_time,
    not_found,
    open_store,
    state_label,
)

FIELDS = [
    "id", "name", "task_key", "flow_run_id", "dynamic_key", "state_type", "state_name",
    "state_message", "created", "start_time", "end_time", "duration", "run_count", "tags",
    "cache_key", "task_inputs",
]  # fmt: skip


@click.group("task-run")
def task_run_group() -> None:
    """Inspect task runs recorded in HEADWATER_HOME."""


@task_run_group.command("ls")
@click.option(
    "--flow-run", "flow_run_id", default=None, metavar="ID",
    help="Only task runs of this flow run (full id or unique prefix).",
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
        flow_run = store.read_flow_run(flow_run_id)
        if flow_run is None:
            raise not_found("flow", flow_run_id, "headwater flow-run ls")
        flow_run_id = flow_run["id"]
    runs = store.read_task_runs(flow_run_id=flow_run_id, state=state, limit=limit)
    if output == "json":
        echo_json(runs)
        return
    if not runs:
        click.echo("No task runs found.")
        return
    rows = [
        [r["id"][:8], r["name"], state_label(r), fmt_time(r.get("start_time")),
         fmt_duration(r.get("duration"))]
        for r in runs
    ]  # fmt: skip
    echo_table(["ID", "NAME", "STATE", "START", "DURATION"], rows)


@task_run_group.command("inspect")
@click.argument("run_id", metavar="ID")
@OUTPUT_OPTION
def inspect(run_id: str, output: str) -> None:
    """Show one task run: fields, inputs (upstream task runs), state history.

    ID is a full task-run id or a unique prefix of one.
    """
    store = open_store()
    run = store.read_task_run(run_id)
    if run is None:
        raise not_found("task", run_id, "headwater task-run ls")
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

    ID is a full task-run id or a unique prefix of one.
    """
    store = open_store()
    run = store.read_task_run(run_id)
    if run is None:
        raise not_found("task", run_id, "headwater task-run ls")
    echo_logs(store.read_logs(run["id"], include_task_runs=False), head, tail, num_logs, reverse)
