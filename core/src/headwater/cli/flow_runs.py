"""`headwater flow-run ls / inspect / logs`: read flow-run history from the run store."""

from __future__ import annotations

from typing import Any

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
    "id", "name", "flow_name", "flow_version", "state_type", "state_name", "state_message",
    "created", "start_time", "end_time", "duration", "run_count", "tags", "parameters",
    "parent_task_run_id", "root_flow_run_id",
]  # fmt: skip


@click.group("flow-run", cls=HistoryGroup)
def flow_run_group() -> None:
    """Inspect flow runs recorded in HEADWATER_HOME."""


@flow_run_group.command("ls")
@STATE_OPTION
@click.option("--flow-name", default=None, help="Only runs of the flow with this name.")
@click.option(
    "--limit", default=50, show_default=True, type=click.IntRange(min=0),
    help="Show at most this many runs (newest first).",
)  # fmt: skip
@OUTPUT_OPTION
def ls(state: str | None, flow_name: str | None, limit: int, output: str) -> None:
    """List flow runs, newest first."""
    runs = open_store().read_flow_runs(state=state, flow_name=flow_name, limit=limit)
    if output == "json":
        echo_json(runs)
        return
    if not runs:
        click.echo("No flow runs found.")
        return
    ids = short_ids([r["id"] for r in runs])
    rows = [
        [short, r["name"], r["flow_name"], state_label(r), fmt_time(r.get("start_time")),
         fmt_duration(r.get("duration"))]
        for short, r in zip(ids, runs, strict=True)
    ]  # fmt: skip
    echo_table(["ID", "NAME", "FLOW", "STATE", "START", "DURATION"], rows)


def _resolve(run_id: str) -> dict[str, Any]:
    return resolve_run(open_store(), "flow", run_id)


@flow_run_group.command("inspect")
@click.argument("run_id", metavar="ID")
@OUTPUT_OPTION
def inspect(run_id: str, output: str) -> None:
    """Show one flow run: fields, parameters, state history, task-run count.

    ID is a flow run's id, the short id `flow-run ls` shows, a unique prefix
    of the id, or the run's name.
    """
    run = _resolve(run_id)
    store = open_store()
    states = store.read_states(run["id"])
    count = store.count_task_runs(run["id"])
    if output == "json":
        echo_json({**run, "states": states, "task_run_count": count})
        return
    echo_fields({**run, "task_runs": count}, [*FIELDS, "task_runs"])
    echo_states(states)


@flow_run_group.command("logs")
@click.argument("run_id", metavar="ID")
@log_options
@click.option(
    "--no-task-runs", is_flag=True, help="Only the flow run's own logs, not its task runs'."
)
def logs(
    run_id: str,
    head: int | None,
    tail: int | None,
    num_logs: int | None,
    reverse: bool,
    no_task_runs: bool,
) -> None:
    """Print a flow run's logs (and its task runs'), oldest first.

    ID is a flow run's id, the short id `flow-run ls` shows, a unique prefix
    of the id, or the run's name.
    """
    run = _resolve(run_id)
    entries = open_store().read_logs(run["id"], include_task_runs=not no_task_runs)
    echo_logs(entries, head, tail, num_logs, reverse)


@flow_run_group.command("graph")
@click.argument("run_id", metavar="ID")
def graph(run_id: str) -> None:
    """Print a recorded flow run's task graph as Mermaid text (flowchart TD).

    ID is a flow run's id, the short id `flow-run ls` shows, a unique prefix
    of the id, or the run's name. Arrows are data dependencies; dotted arrows
    are `wait_for=` ones.
    """
    from headwater.graphs.recorded import recorded_mermaid

    run = _resolve(run_id)
    click.echo(recorded_mermaid(open_store(), run["id"]))
