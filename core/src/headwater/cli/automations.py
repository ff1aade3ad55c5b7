"""`headwater automation ls / inspect / create / update / enable / disable / delete / serve`.

`create --from-file a.yaml` (or `--from-json '{...}'`) validates every
automation in it, and the blocks they name, before saving any. `serve`
evaluates automations standing alone, for homes where no flow is running.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from headwater.cli.runs import OUTPUT_OPTION, echo_json, echo_table


def _rows() -> list[dict[str, Any]]:
    """Every saved automation: the server's with HEADWATER_API_URL set, else the home's."""
    from headwater.automations.storage import definitions
    from headwater.exceptions import RunStoreError

    try:
        return definitions().list()
    except RunStoreError as exc:
        raise click.ClickException(str(exc)) from None


def _find(ref: str) -> Any:
    """An automation by id, id prefix or name."""
    from headwater.automations import Automation

    rows = _rows()
    found = [r for r in rows if r["id"] == ref] or [
        r for r in rows if r["id"].startswith(ref) or r["name"] == ref
    ]
    if not found:
        raise click.ClickException(
            f"no automation has the id or name {ref!r}; see `headwater automation ls`"
        )
    if len(found) > 1:
        ids = ", ".join(r["id"] for r in found)
        raise click.ClickException(f"{ref!r} names {len(found)} automations ({ids}); use an id")
    return Automation.from_row(found[0])


@click.group("automation")
def automation_group() -> None:
    """Automations: a trigger on events plus actions (notify, cancel a flow run, ...)."""


@automation_group.command("ls")
@OUTPUT_OPTION
def ls(output: str) -> None:
    """List automations."""
    from headwater.automations import Automation

    rows = _rows()
    if output == "json":
        echo_json([{"id": r["id"], **r["spec"], "enabled": r["enabled"]} for r in rows])
        return
    if not rows:
        click.echo("No automations. Create one with `headwater automation create -f FILE`.")
        return
    table = []
    for r in rows:
        a = Automation.from_row(r)
        trigger = a.trigger.describe_for_cli().splitlines()[0]
        actions = ", ".join(x.type for x in a.actions)
        table.append([r["id"], r["name"], "yes" if r["enabled"] else "no", trigger, actions])
    echo_table(["ID", "NAME", "ENABLED", "TRIGGER", "ACTIONS"], table)


@automation_group.command("inspect")
@click.argument("ref")
@OUTPUT_OPTION
def inspect(ref: str, output: str) -> None:
    """Show one automation (by id, id prefix or name)."""
    a = _find(ref)
    if output == "json":
        echo_json(a.model_dump(mode="json"))
        return
    import yaml

    click.echo(yaml.safe_dump(a.model_dump(mode="json"), sort_keys=False).rstrip())


@automation_group.command("create")
@click.option(
    "--from-file",
    "-f",
    "from_file",
    type=click.Path(path_type=Path),
    default=None,
    help="YAML or JSON file with one automation, or `automations:` with several.",
)
@click.option("--from-json", "-j", "from_json", default=None, help="The automation as JSON.")
def create(from_file: Path | None, from_json: str | None) -> None:  # fmt: skip
    """Create automations from a file or JSON text (all checked before any is saved)."""
    from headwater.automations import AutomationError
    from headwater.automations.files import build, parse_text

    if (from_file is None) == (from_json is None):
        raise click.UsageError("give exactly one of --from-file FILE or --from-json JSON")
    try:
        if from_file is not None:
            try:
                text = from_file.read_text("utf-8")
            except OSError as exc:
                raise click.ClickException(f"cannot read {from_file}: {exc.strerror or exc}")
            as_json = from_file.suffix.lower() == ".json"
            docs = parse_text(text, str(from_file), as_json=as_json)
            automations = build(docs, str(from_file))
        else:
            automations = build(parse_text(from_json or "", "--from-json", True), "--from-json")
        for a in automations:
            a.create()
            click.echo(f"Created automation {a.name!r} with id {a.id}")
    except AutomationError as exc:
        raise click.ClickException(str(exc)) from None


def _toggle(ref: str, enable: bool) -> None:
    a = _find(ref)
    (a.enable if enable else a.disable)()
    click.echo(f"{'Enabled' if enable else 'Disabled'} automation {a.name!r} ({a.id})")


@automation_group.command("enable")
@click.argument("ref")
def enable(ref: str) -> None:
    """Enable an automation (alias: resume)."""
    _toggle(ref, True)


@automation_group.command("disable")
@click.argument("ref")
def disable(ref: str) -> None:
    """Disable an automation (alias: pause)."""
    _toggle(ref, False)


automation_group.add_command(enable, "resume")
automation_group.add_command(disable, "pause")


@automation_group.command("delete")
@click.argument("ref")
def delete(ref: str) -> None:
    """Delete an automation."""
    a = _find(ref)
    a.delete()
    click.echo(f"Deleted automation {a.name!r} ({a.id})")


@automation_group.command("serve")
@click.option("--once", is_flag=True, help="Run one evaluation pass and exit.")
def serve(once: bool) -> None:
    """Evaluate automations in this home until stopped (Ctrl-C)."""
    from headwater import settings
    from headwater.automations.runtime import attach
    from headwater.history import get_store

    if settings.get("api_url"):
        raise click.ClickException(
            "with HEADWATER_API_URL set, the headwater server evaluates automations over the "
            "events its clients record; nothing to serve here (unset HEADWATER_API_URL to "
            "evaluate this home's own automations)"
        )
    background = attach(get_store())
    if background is None:
        raise click.ClickException("this home's run store cannot evaluate automations")
    if once:
        background.stop(final_pass=True)
        return
    click.echo("Evaluating automations; press Ctrl-C to stop.")
    try:
        while True:
            time.sleep(1.0)
    except KeyboardInterrupt:
        background.stop(final_pass=True)
