"""Shared helpers for the run-history commands: opening the store, formatting."""

from __future__ import annotations

import json
import time
from typing import Any

import click

from headwater.history.base import RunHistory

OUTPUT_OPTION = click.option(
    "-o",
    "--output",
    type=click.Choice(["table", "json"], case_sensitive=False),
    default="table",
    show_default=True,
    help="Print a table for people or JSON for scripts.",
)


def state_names() -> list[str]:
    """Every state a run can be in, by name (each is also a public constructor in
    `headwater.states`; a type's own name, such as Completed, is one of them)."""
    from headwater import states

    names = [n for n in states.__all__ if n[0].isupper() and n not in ("State", "StateType")]
    return [getattr(states, n)().name for n in names]


def _normal(state: str) -> str:
    """As the store compares states: no spaces or underscores, any case."""
    return state.strip().replace(" ", "").replace("_", "").lower()


def _known_state(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    names = state_names()
    if _normal(value) not in {_normal(n) for n in names}:
        raise click.BadParameter(
            f"{value!r} is not a state. Use one of: {', '.join(names)} (any case)."
        )
    return value


STATE_OPTION = click.option(
    "--state",
    "state",
    default=None,
    metavar="STATE",
    callback=_known_state,
    help="Only runs in this state: a type or name, any case (completed, Failed, TimedOut).",
)


class HistoryGroup(click.Group):
    """A group whose commands report history that cannot be read (an unusable home, a
    server that is down or refuses the API key) as one line and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        from headwater.exceptions import RunStoreError

        try:
            return super().invoke(ctx)
        except RunStoreError as exc:
            raise click.ClickException(str(exc)) from None


def open_store() -> RunHistory:
    """The run history, read-only (works on a home this user cannot write), or a clear
    error (exit code 1) if HEADWATER_HOME is unusable."""
    from headwater.exceptions import RunStoreError
    from headwater.history import open_for_reading

    try:
        return open_for_reading()
    except RunStoreError as exc:
        raise click.ClickException(str(exc)) from None


def fmt_time(ts: float | None, with_date: bool = True) -> str:
    if ts is None:
        return "-"
    fmt = "%Y-%m-%d %H:%M:%S" if with_date else "%H:%M:%S"
    return time.strftime(fmt, time.localtime(ts))


def fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.2f}s"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def state_label(run: dict[str, Any]) -> str:
    name, type_ = run.get("state_name"), run.get("state_type")
    if not name:
        return "-"
    return name if name.upper() == type_ else f"{name} ({type_})"


def echo_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = [str(c).ljust(w) for c, w in zip(row, widths, strict=True)]
        click.echo("  ".join(cells).rstrip())


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, default=str))


def echo_fields(run: dict[str, Any], keys: list[str]) -> None:
    width = max(len(k) for k in keys) + 1
    for key in keys:
        value = run.get(key)
        if key in ("created", "start_time", "end_time", "state_timestamp"):
            value = fmt_time(value)
        elif key == "duration":
            value = fmt_duration(value)
        elif isinstance(value, (dict, list)):
            value = json.dumps(value, default=str)
        click.echo(f"{(key + ':').ljust(width)} {'-' if value is None else value}")


def echo_states(states: list[dict[str, Any]]) -> None:
    click.echo("State history:")
    if not states:
        click.echo("  (none recorded)")
    for s in states:
        label = s["name"] if s["name"].upper() == s["type"] else f"{s['name']} ({s['type']})"
        message = f" - {s['message']}" if s.get("message") else ""
        click.echo(f"  {fmt_time(s['timestamp'])}  {label}{message}")
