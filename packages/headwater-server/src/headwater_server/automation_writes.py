"""Creating and changing automations on the server: Prefect's routes.

`POST /api/automations/` (answers the automation with its id), `PUT /api/automations/{id}`,
`PATCH /api/automations/{id}` with `{"enabled": ...}` and `DELETE /api/automations/{id}`
(each 204, or 404 naming the id). The body is Prefect's automation JSON, checked by
headwater's models (unknown fields refused, actions headwater cannot run refused),
and saved in the home's automation tables, where the server's evaluator reads them.
Reading is in `run_reads` (`POST /api/automations/filter`, `GET /api/automations/{id}`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, ValidationError

if TYPE_CHECKING:
    from headwater.automations.storage import AutomationStorage


class EnabledBody(BaseModel):
    enabled: bool


def _spec(body: dict[str, Any]) -> dict[str, Any]:
    """The automation as stored (validated); 422 naming what is wrong."""
    from headwater.events.actions import NOT_YET_SUPPORTED
    from headwater.events.schemas.automations import AutomationCore

    body = {k: v for k, v in body.items() if k not in ("id", "created", "updated")}
    try:
        automation = AutomationCore.model_validate(body)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:20]]
        raise HTTPException(422, "invalid automation: " + "; ".join(problems)) from None
    for where in ("actions", "actions_on_trigger", "actions_on_resolve"):
        for index, action in enumerate(getattr(automation, where)):
            reason = NOT_YET_SUPPORTED.get(action.type)
            if reason:
                raise HTTPException(
                    422,
                    f"automation {automation.name!r}: {where}[{index}] is {action.type!r}, "
                    f"which is not yet supported: {reason}",
                )
    return automation.model_dump(mode="json")


def _not_found(automation_id: str) -> HTTPException:
    return HTTPException(404, f"automation {automation_id!r} not found on this server")


def automation_write_routes(home: Path) -> APIRouter:
    api = APIRouter(prefix="/automations", tags=["Automations"])

    def storage() -> AutomationStorage:
        from headwater.automations.storage import get_storage

        return get_storage(home)  # one per home, opened on first use

    @api.post("/", status_code=201)
    def create_automation(body: dict[str, Any]) -> dict[str, Any]:
        """Save a new automation; answers it with its `id`."""
        spec = _spec(body)
        new_id = storage().create(spec["name"], spec["enabled"], spec)
        return {"id": new_id, **spec}

    @api.put("/{id}", status_code=204)
    def update_automation(id: str, body: dict[str, Any]) -> Response:
        """Replace an automation (its trigger counts start afresh)."""
        spec = _spec(body)
        if not storage().update(id, spec["name"], spec["enabled"], spec):
            raise _not_found(id)
        return Response(status_code=204)

    @api.patch("/{id}", status_code=204)
    def set_enabled(id: str, body: EnabledBody) -> Response:
        """Enable or disable an automation."""
        if not storage().set_enabled(id, body.enabled):
            raise _not_found(id)
        return Response(status_code=204)

    @api.delete("/{id}", status_code=204)
    def delete_automation(id: str) -> Response:
        if not storage().delete(id):
            raise _not_found(id)
        return Response(status_code=204)

    return api
