"""`headwater events ls / stream`: the events recorded in HEADWATER_HOME.

Both read the run history read-only, so they work beside running flows (in any
process sharing the home) and on a home this user cannot write. `stream`
follows new events by their `seq`, which every process's writer increases.
Names and ids may be written with Prefect's `prefect.` prefix (see
`headwater.events.names`).
"""

from __future__ import annotations

import datetime
import json
import re
import time
from pathlib import Path
from typing import Any

import click

from headwater.cli.runs import OUTPUT_OPTION, HistoryGroup, echo_table, open_store
from headwater.events.filters import EventFilter, read_events
from headwater.history.base import RunHistory

#: how often `stream` looks for new events
POLL_INTERVAL = 0.2
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class TimeParam(click.ParamType):
    """An ISO date/time (local time unless it says its zone) or an age such as 10m, 2h, 1d."""

    name = "TIME"

    def convert(self, value: Any, param: Any, ctx: Any) -> datetime.datetime:
        if isinstance(value, datetime.datetime):
            return value
        text = str(value)
        age = _DURATION.match(text)
        if age:
            seconds = float(age.group(1)) * _UNITS[age.group(2)]
            return datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(
                seconds=seconds
            )
        try:
            when = datetime.datetime.fromisoformat(text)
        except ValueError:
            self.fail(
                f"{text!r} is not a time. Use an ISO date/time such as 2026-01-31 or "
                f"2026-01-31T14:00 (local time), or an age such as 30s, 10m, 2h, 1d.",
                param,
                ctx,
            )
        return when if when.tzinfo else when.astimezone()


def _filter_options(command: Any) -> Any:
    options = [
        click.option(
            "--event", "-e", "event", multiple=True, metavar="NAME",
            help="Events whose name starts with NAME, or matches it with * wildcards "
            "(prefect.flow-run.* works too). Repeat for any of several.",
        ),
        click.option(
            "--resource", "-r", "resource", multiple=True, metavar="ID",
            help="Events about the resource with this id (* wildcards allowed), e.g. "
            "'headwater.flow-run.*'.",
        ),
        click.option(
            "--related", "related", multiple=True, metavar="ID",
            help="Events with this related resource id (* wildcards allowed), e.g. "
            "'headwater.flow.etl' or 'headwater.tag.nightly'.",
        ),
        click.option("--since", type=TimeParam(), default=None, help="Occurred at or after TIME."),
        click.option("--until", type=TimeParam(), default=None, help="Occurred at or before TIME."),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


def _make_filter(
    event: tuple[str, ...],
    resource: tuple[str, ...],
    related: tuple[str, ...],
    since: datetime.datetime | None,
    until: datetime.datetime | None,
) -> EventFilter:
    for pattern in (*event, *resource, *related):
        if not pattern.strip():
            raise click.BadParameter("an empty name or id matches nothing; leave the option out")
    if since and until and since > until:
        raise click.BadParameter(
            f"--since {since.isoformat()} is after --until {until.isoformat()}; swap them"
        )
    return EventFilter(event, resource, related, since, until)


def as_json(row: dict[str, Any]) -> dict[str, Any]:
    """An event as Prefect's JSON shape (ISO `occurred`), plus its `seq`."""
    occurred = datetime.datetime.fromtimestamp(row["occurred"], datetime.timezone.utc)
    return {
        "id": row["id"],
        "event": row["event"],
        "occurred": occurred.isoformat(),
        "resource": row.get("resource") or {},
        "related": row.get("related") or [],
        "payload": row.get("payload") or {},
        "follows": row.get("follows"),
        "seq": row["seq"],
    }


def _label(labels: dict[str, str] | None, key: str) -> str:
    labels = labels or {}
    return labels.get(f"headwater.resource.{key}") or labels.get(f"prefect.resource.{key}") or ""


def _row(event: dict[str, Any]) -> list[str]:
    when = datetime.datetime.fromtimestamp(event["occurred"]).isoformat(timespec="milliseconds")
    resource = event.get("resource")
    return [when, event["event"], _label(resource, "id"), _label(resource, "name")]


_HEADER = ["OCCURRED", "EVENT", "RESOURCE", "NAME"]


@click.group("events", cls=HistoryGroup)
def events_group() -> None:
    """List and follow the events recorded in HEADWATER_HOME."""


@events_group.command("ls")
@_filter_options
@click.option(
    "--limit", default=50, show_default=True, type=click.IntRange(min=0),
    help="Show at most this many events (the newest).",
)  # fmt: skip
@OUTPUT_OPTION
def ls(
    event: tuple[str, ...],
    resource: tuple[str, ...],
    related: tuple[str, ...],
    since: datetime.datetime | None,
    until: datetime.datetime | None,
    limit: int,
    output: str,
) -> None:
    """List recorded events, newest first.

    Every flow-run and task-run state change is an event
    (headwater.flow-run.Completed, headwater.task-run.Failed, ...), and so is
    every emit_event call.
    """
    where = _make_filter(event, resource, related, since, until)
    rows = read_events(open_store(), where, limit=limit)
    if output == "json":
        click.echo(json.dumps([as_json(r) for r in rows], indent=2, default=str))
        return
    if not rows:
        click.echo("No events found.")
        return
    echo_table(_HEADER, [_row(r) for r in rows])


@events_group.command("stream")
@_filter_options
@click.option(
    "--timeout", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
    help="Stop after this many seconds (default: until Ctrl-C).",
)  # fmt: skip
@click.option(
    "--count", type=click.IntRange(min=1), default=None,
    help="Stop after printing this many events.",
)  # fmt: skip
@click.option(
    "-o", "--output", type=click.Choice(["text", "json"], case_sensitive=False),
    default="text", show_default=True,
    help="One line per event for people, or one JSON object per line for scripts.",
)  # fmt: skip
def stream(
    event: tuple[str, ...],
    resource: tuple[str, ...],
    related: tuple[str, ...],
    since: datetime.datetime | None,
    until: datetime.datetime | None,
    timeout: float | None,
    count: int | None,
    output: str,
) -> None:
    """Print events as they are recorded, by this or any process using HEADWATER_HOME.

    Starts with new events; with --since, first prints those recorded since then.
    Stops on Ctrl-C, or after --timeout seconds or --count events.
    """
    where = _make_filter(event, resource, related, since, until)
    try:
        _follow(where, since is not None, timeout, count, output == "json")
    except KeyboardInterrupt:
        pass  # Ctrl-C is how a stream ends


def _follow(
    where: EventFilter, replay: bool, timeout: float | None, count: int | None, as_lines: bool
) -> None:
    from headwater import settings

    deadline = None if timeout is None else time.monotonic() + timeout
    url = settings.get("api_url")
    click.echo(f"Streaming events from {url or settings.home()} (Ctrl-C to stop)", err=True)
    new_database = False
    if url:
        history: RunHistory | None = open_store()
    else:
        database = settings.home() / "headwater.db"
        # a database made after the stream started holds only new events: print them all
        new_database = not database.exists()
        history = _wait_for_history(database, deadline)
    if history is None:
        return
    cursor = 0 if replay or new_database else history.last_event_seq()
    printed = 0
    while True:
        for row in read_events(history, where, limit=1000, after=cursor, oldest_first=True):
            cursor = row["seq"]
            if as_lines:
                click.echo(json.dumps(as_json(row), default=str))
            else:
                click.echo("  ".join(_row(row)))
            printed += 1
            if count is not None and printed >= count:
                return
        if deadline is not None and time.monotonic() >= deadline:
            return
        time.sleep(POLL_INTERVAL)


def _wait_for_history(path: Path, deadline: float | None) -> RunHistory | None:
    """The history to follow; a home with no database yet is waited for, not read as empty."""
    while not path.exists():
        if deadline is not None and time.monotonic() >= deadline:
            return None
        time.sleep(POLL_INTERVAL)
    return open_store()
