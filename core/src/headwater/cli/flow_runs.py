"""`headwater flow-run ls / inspect / logs`: read flow-run history from the run store."""

from __future__ import annotations

import logging
import time
from typing import Any

import click

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
    "id", "name", "flow_name", "flow_version", "state_type", "state_name", "state_message",
    "created", "start_time", "end_time", "duration", "run_count", "tags", "parameters",
    "parent_task_run_id", "root_flow_run_id",
]  # fmt: skip


@click.group("flow-run")
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
    rows = [
        [r["id"][:8], r["name"], r["flow_name"], state_label(r), fmt_time(r.get("start_time")),
         fmt_duration(r.get("duration"))]
        for r in runs
    ]  # fmt: skip
    echo_table(["ID", "NAME", "FLOW", "STATE", "START", "DURATION"], rows)


def _resolve(run_id: str) -> dict[str, Any]:
    run = open_store().read_flow_run(run_id)
    if run is None:
        raise not_found("flow", run_id, "headwater flow-run ls")
    return run


@flow_run_group.command("inspect")
@click.argument("run_id", metavar="ID")
@OUTPUT_OPTION
def inspect(run_id: str, output: str) -> None:
    """Show one flow run: fields, parameters, state history, task-run count.

    ID is a full flow-run id or a unique prefix of one.
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


def format_log_line(entry: dict[str, Any]) -> str:
    """One log line as the console shows it: `12:00:01.123 | INFO    | Task run 'add-3f2' - ...`."""
    ts = entry["timestamp"]
    millis = min(999, int(round(ts % 1 * 1000, 3)))  # float noise must not drop a ms
    clock = time.strftime("%H:%M:%S", time.localtime(ts)) + f".{millis:03d}"
    level = logging.getLevelName(entry["level"])
    if entry.get("run_id"):
        who = "Flow run" if entry.get("run_kind") == "flow" else "Task run"
        source = f"{who} {entry.get('run_name') or entry['run_id']!r}"
    else:
        source = entry.get("logger") or "headwater"
    return f"{clock} | {level:<7} | {source} - {entry['message']}"


@flow_run_group.command("logs")
@click.argument("run_id", metavar="ID")
@click.option(
    "--head", type=int, is_flag=False, flag_value=20, default=None, metavar="[N]",
    help="Show only the first N lines (20 if N is left out).",
)  # fmt: skip
@click.option(
    "--tail", type=int, is_flag=False, flag_value=20, default=None, metavar="[N]",
    help="Show only the last N lines (20 if N is left out).",
)  # fmt: skip
@click.option(
    "-n", "--num-logs", type=click.IntRange(min=0), default=None,
    help="How many lines --head/--tail show; alone, show the first N.",
)  # fmt: skip
@click.option("-r", "--reverse", is_flag=True, help="Newest lines first.")
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

    ID is a full flow-run id or a unique prefix of one.
    """
    if head is not None and tail is not None:
        raise click.UsageError("--head and --tail cannot be used together.")
    run = _resolve(run_id)
    entries = open_store().read_logs(run["id"], include_task_runs=not no_task_runs)
    if tail is not None:
        last = num_logs if num_logs is not None else tail
        entries = entries[-last:] if last else []
    elif head is not None or num_logs is not None:
        first = num_logs if num_logs is not None else head
        entries = entries[: first or 0]
    if reverse:
        entries.reverse()
    for entry in entries:
        click.echo(format_log_line(entry))
