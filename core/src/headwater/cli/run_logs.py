"""Printing recorded log lines, shared by `flow-run logs` and `task-run logs`."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import click


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


def log_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--head/--tail/--num-logs/--reverse, as Prefect's `logs` commands have them."""
    options = [
        click.option(
            "--head", type=int, is_flag=False, flag_value=20, default=None, metavar="[N]",
            help="Show only the first N lines (20 if N is left out).",
        ),
        click.option(
            "--tail", type=int, is_flag=False, flag_value=20, default=None, metavar="[N]",
            help="Show only the last N lines (20 if N is left out).",
        ),
        click.option(
            "-n", "--num-logs", type=click.IntRange(min=0), default=None,
            help="How many lines --head/--tail show; alone, show the first N.",
        ),
        click.option("-r", "--reverse", is_flag=True, help="Newest lines first."),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


def echo_logs(
    entries: list[dict[str, Any]],
    head: int | None,
    tail: int | None,
    num_logs: int | None,
    reverse: bool,
) -> None:
    if head is not None and tail is not None:
        raise click.UsageError("--head and --tail cannot be used together.")
    if tail is not None:
        last = num_logs if num_logs is not None else tail
        entries = entries[-last:] if last else []
    elif head is not None or num_logs is not None:
        first = num_logs if num_logs is not None else head
        entries = entries[: first or 0]
    if reverse:
        entries = entries[::-1]
    for entry in entries:
        click.echo(format_log_line(entry))
