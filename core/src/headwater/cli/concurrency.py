"""`headwater global-concurrency-limit` (alias `gcl`) and `headwater concurrency-limit`.

Global limits (`concurrency()` / `rate_limit()`) and tag limits on task runs,
managed on the home's store through `headwater.concurrency`'s API. Tag limits
are global limits named "tag:<tag>", so `gcl ls` lists them too, as in Prefect.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, TypeVar

import click

from headwater.cli.runs import OUTPUT_OPTION, echo_json, echo_table

F = TypeVar("F", bound=Callable[..., Any])

# a negative number given as an argument ("create TAG -1") reaches our check, not click's
_NUMBERS_AS_ARGUMENTS = {"ignore_unknown_options": True}


def _guarded(call: Callable[[], Any]) -> Any:
    """Run `call`, turning a bad value or a missing limit into a CLI error (exit 1)."""
    from headwater.concurrency import ConcurrencyLimitNotFound

    try:
        return call()
    except ConcurrencyLimitNotFound as exc:
        raise click.ClickException(str(exc.args[0])) from None
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


def _when(ts: float) -> str:
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime(
        "%Y-%m-%d %H:%M:%S UTC"
    )


def _slots(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.2f}"


def _show(limit: Any, output: str) -> None:
    if output == "json":
        echo_json(limit.to_dict())
        return
    rows = [
        ("name", limit.name),
        ("id", limit.id),
        ("limit", limit.limit),
        ("active", "yes" if limit.active else "no"),
        ("active slots", _slots(limit.active_slots)),
        ("slot decay per second", f"{limit.slot_decay_per_second:g}"),
        ("created", _when(limit.created)),
        ("updated", _when(limit.updated)),
    ]
    width = max(len(k) for k, _ in rows) + 1
    for key, value in rows:
        click.echo(f"{key + ':':<{width}} {value}")
    if limit.holders:
        click.echo("holders:")
        for h in limit.holders:
            who = h["holder"] or {}
            label = f"{who.get('type', '?')} {who.get('id', '?')}" if who else "(unnamed)"
            click.echo(f"  {label}: {h['slots']} slot(s), lease expires {_when(h['expires'])}")


# --- global concurrency limits ---------------------------------------------------------
@click.group("global-concurrency-limit")
def global_concurrency_limit_group() -> None:
    """Global concurrency and rate limits (alias: gcl), shared by every process on the home."""


@global_concurrency_limit_group.command("create", context_settings=_NUMBERS_AS_ARGUMENTS)
@click.argument("name")
@click.option("-l", "--limit", type=int, required=True, help="Slots that may be held at once.")
@click.option(
    "--slot-decay-per-second",
    type=float,
    default=0.0,
    show_default=True,
    help="Slots freed per second (a rate limit for `rate_limit()`).",
)
@click.option("--active-slots", type=int, default=0, help="Slots occupied from the start.")
@click.option("--active/--disable", default=True, help="Create the limit enforced, or inactive.")
def gcl_create(
    name: str, limit: int, slot_decay_per_second: float, active_slots: int, active: bool
) -> None:
    """Create a global concurrency limit NAME."""
    from headwater.concurrency import create_global_concurrency_limit

    created = _guarded(
        lambda: create_global_concurrency_limit(
            name,
            limit,
            active=active,
            slot_decay_per_second=slot_decay_per_second,
            active_slots=active_slots,
        )
    )
    click.echo(f"Created global concurrency limit with name {name!r} and ID '{created.id}'.")
    click.echo(f"Run `headwater gcl inspect {name}` to view details.")


@global_concurrency_limit_group.command("ls")
@OUTPUT_OPTION
def gcl_ls(output: str) -> None:
    """List global concurrency limits (tag limits show as tag:<tag>)."""
    from headwater.concurrency import read_global_concurrency_limits

    limits = read_global_concurrency_limits()
    if output == "json":
        echo_json([limit.to_dict() for limit in limits])
        return
    if not limits:
        click.echo("No global concurrency limits found. Create one: headwater gcl create NAME -l N")
        return
    echo_table(
        ["NAME", "LIMIT", "ACTIVE SLOTS", "SLOT DECAY/S", "ACTIVE", "UPDATED"],
        [
            [
                limit.name,
                str(limit.limit),
                _slots(limit.active_slots),
                f"{limit.slot_decay_per_second:g}",
                "yes" if limit.active else "no",
                _when(limit.updated),
            ]
            for limit in limits
        ],
    )


@global_concurrency_limit_group.command("inspect")
@click.argument("name")
@OUTPUT_OPTION
def gcl_inspect(name: str, output: str) -> None:
    """Show one global concurrency limit and who holds its slots."""
    from headwater.concurrency import read_global_concurrency_limit

    _show(_guarded(lambda: read_global_concurrency_limit(name)), output)


@global_concurrency_limit_group.command("update", context_settings=_NUMBERS_AS_ARGUMENTS)
@click.argument("name")
@click.option("-l", "--limit", type=int, default=None, help="Slots that may be held at once.")
@click.option("--slot-decay-per-second", type=float, default=None, help="Slots freed per second.")
@click.option(
    "--active-slots", type=int, default=None, help="Set the occupied slots (0 frees all)."
)
@click.option("--enable/--disable", "active", default=None, help="Enforce the limit, or not.")
def gcl_update(
    name: str,
    limit: int | None,
    slot_decay_per_second: float | None,
    active_slots: int | None,
    active: bool | None,
) -> None:
    """Change a global concurrency limit."""
    from headwater.concurrency import update_global_concurrency_limit

    if limit is None and slot_decay_per_second is None and active_slots is None and active is None:
        raise click.UsageError(
            "No update arguments provided: pass --limit, --slot-decay-per-second, "
            "--active-slots, --enable or --disable"
        )
    _guarded(
        lambda: update_global_concurrency_limit(
            name,
            limit=limit,
            active=active,
            slot_decay_per_second=slot_decay_per_second,
            active_slots=active_slots,
        )
    )
    click.echo(f"Updated global concurrency limit with name {name!r}.")


def _set_active(name: str, active: bool) -> None:
    from headwater.concurrency import (
        read_global_concurrency_limit,
        update_global_concurrency_limit,
    )

    current = _guarded(lambda: read_global_concurrency_limit(name))
    word = "Enabled" if active else "Disabled"
    if current.active == active:
        raise click.ClickException(f"Global concurrency limit {name!r} is already {word.lower()}.")
    update_global_concurrency_limit(name, active=active)
    click.echo(f"{word} global concurrency limit with name {name!r}.")


@global_concurrency_limit_group.command("enable")
@click.argument("name")
def gcl_enable(name: str) -> None:
    """Enforce a global concurrency limit again."""
    _set_active(name, True)


@global_concurrency_limit_group.command("disable")
@click.argument("name")
def gcl_disable(name: str) -> None:
    """Stop enforcing a global concurrency limit (its blocks then run without waiting)."""
    _set_active(name, False)


@global_concurrency_limit_group.command("delete")
@click.argument("name")
def gcl_delete(name: str) -> None:
    """Delete a global concurrency limit."""
    from headwater.concurrency import delete_global_concurrency_limit

    _guarded(lambda: delete_global_concurrency_limit(name))
    click.echo(f"Deleted global concurrency limit with name {name!r}.")


#: `headwater gcl ...`: Prefect's short name for the same commands
gcl_group = click.Group(
    "gcl",
    commands=global_concurrency_limit_group.commands,
    help="Alias of `headwater global-concurrency-limit`.",
)


# --- tag limits ------------------------------------------------------------------------
@click.group("concurrency-limit")
def concurrency_limit_group() -> None:
    """Task run concurrency limits per tag: tagged task runs wait for a free slot."""


@concurrency_limit_group.command("create", context_settings=_NUMBERS_AS_ARGUMENTS)
@click.argument("tag")
@click.argument("concurrency_limit", type=int)
def cl_create(tag: str, concurrency_limit: int) -> None:
    """Limit task runs tagged TAG to CONCURRENCY_LIMIT at once."""
    from headwater.concurrency import create_concurrency_limit

    _guarded(lambda: create_concurrency_limit(tag, concurrency_limit))
    click.echo(
        f"Created concurrency limit with properties:\n"
        f"    tag - {tag!r}\n    concurrency_limit - {concurrency_limit}\n\n"
        f"Delete the concurrency limit:\n    headwater concurrency-limit delete {tag!r}\n\n"
        f"Inspect the concurrency limit:\n    headwater concurrency-limit inspect {tag!r}"
    )


@concurrency_limit_group.command("ls")
@OUTPUT_OPTION
def cl_ls(output: str) -> None:
    """List tag limits and how many task runs hold a slot."""
    from headwater.concurrency import read_concurrency_limits

    limits = read_concurrency_limits()
    if output == "json":
        echo_json([limit.to_dict() for limit in limits])
        return
    if not limits:
        click.echo(
            "No concurrency limits found. Create one: headwater concurrency-limit create TAG N"
        )
        return
    echo_table(
        ["TAG", "ID", "CONCURRENCY LIMIT", "ACTIVE TASK RUNS"],
        [[str(c.tag), c.id, str(c.limit), str(len(c.holders))] for c in limits],
    )


@concurrency_limit_group.command("inspect")
@click.argument("tag")
@OUTPUT_OPTION
def cl_inspect(tag: str, output: str) -> None:
    """Show a tag limit and the task runs holding its slots."""
    from headwater.concurrency import read_concurrency_limit

    _show(_guarded(lambda: read_concurrency_limit(tag)), output)


@concurrency_limit_group.command("reset")
@click.argument("tag")
def cl_reset(tag: str) -> None:
    """Free every slot of a tag limit."""
    from headwater.concurrency import reset_concurrency_limit

    _guarded(lambda: reset_concurrency_limit(tag))
    click.echo(f"Reset concurrency limit set on the tag: {tag}")


@concurrency_limit_group.command("delete")
@click.argument("tag")
def cl_delete(tag: str) -> None:
    """Delete a tag limit."""
    from headwater.concurrency import delete_concurrency_limit

    _guarded(lambda: delete_concurrency_limit(tag))
    click.echo(f"Deleted concurrency limit set on the tag: {tag}")
