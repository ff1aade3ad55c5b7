"""Notification text: Jinja2 templates rendered in a sandbox over the firing's context.

Templates see `event` (name, occurred, resource, related, payload, id),
`resource` (the event's resource labels), `flow_run` (id, name, flow_name,
state: type/name/message) when the event is about a flow run, `automation`
(id, name, description), `labels` (the `for_each` values) and `flow_run_url`
(the dashboard link when HEADWATER_UI_URL is set, else the CLI command that
shows the run). Jinja2 is imported only when an action renders.
"""

from __future__ import annotations

import datetime
from typing import Any

_RUN_PREFIXES = ("headwater.flow-run.", "prefect.flow-run.")


class TemplateError(Exception):
    """A template could not be rendered; the message names the field and the error."""


def render(template: str, context: dict[str, Any], field: str) -> str:
    if "{" not in template:
        return template
    from jinja2 import ChainableUndefined
    from jinja2 import TemplateError as JinjaError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(undefined=ChainableUndefined, autoescape=False)
    try:
        return env.from_string(template).render(**context)
    except JinjaError as exc:
        raise TemplateError(f"the {field} template could not be rendered: {exc}") from None


def flow_run_id_of(event: dict[str, Any] | None) -> str | None:
    """The flow run an event is about: its resource, else its related `flow-run`."""
    if not event:
        return None
    for labels in [event.get("resource") or {}, *(event.get("related") or [])]:
        rid = labels.get("headwater.resource.id") or labels.get("prefect.resource.id") or ""
        for prefix in _RUN_PREFIXES:
            if rid.startswith(prefix):
                return rid[len(prefix) :]
    return None


def _labels(labels: Any) -> Any:
    """Labels readable by either spelling (`resource["prefect.resource.id"]`)."""
    from headwater.events.schemas.events import Resource

    try:
        return Resource(labels or {})
    except (TypeError, ValueError):
        return labels or {}


def template_context(storage: Any, item: Any, read_flow_run: Any = None) -> dict[str, Any]:
    """`read_flow_run(id)`: where the flow run is read (default: the home's `flow_runs`)."""
    from headwater import settings

    event = dict(item.firing.get("event") or {})
    if isinstance(event.get("occurred"), (int, float)):
        event["occurred"] = datetime.datetime.fromtimestamp(
            event["occurred"], datetime.timezone.utc
        ).isoformat()
    run_id = flow_run_id_of(event)
    flow_run: dict[str, Any] | None = None
    if run_id and read_flow_run is not None:
        found = read_flow_run(run_id)
        if found is not None and found.get("id", run_id) == run_id:
            flow_run = {
                "id": run_id, "name": found.get("name"), "flow_name": found.get("flow_name"),
                "state": {"type": found.get("state_type"), "name": found.get("state_name"),
                          "message": found.get("state_message")},
            }  # fmt: skip
    elif run_id:
        rows = storage.query(
            "SELECT name, flow_name, state_type, state_name, state_message FROM flow_runs "
            "WHERE id = ?",
            (run_id,),
        )
        if rows:
            name, flow_name, state_type, state_name, message = rows[0]
            flow_run = {
                "id": run_id, "name": name, "flow_name": flow_name,
                "state": {"type": state_type, "name": state_name, "message": message},
            }  # fmt: skip
    ui = settings.get("ui_url")
    url = ""
    if run_id:
        url = (
            f"{ui.rstrip('/')}/runs/flow-run/{run_id}"
            if ui
            else f"headwater flow-run inspect {run_id}"
        )
    model = item.automation.model
    return {
        "event": event,
        "resource": _labels(event.get("resource")),
        "flow_run": flow_run,
        "flow_run_url": url,
        "labels": item.firing.get("labels") or {},
        "automation": {"id": item.automation.id, "name": model.name,
                       "description": model.description},
    }  # fmt: skip
