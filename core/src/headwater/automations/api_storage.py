"""Automations on a headwater server: where `Automation.create()` and the CLI save and
read definitions when HEADWATER_API_URL is set.

The server evaluates them over the events its clients record (a client process
evaluates none), so an automation and the events it watches live in one place.
Rows come back as `AutomationStorage` gives them, so the model and the CLI work
the same against either.
"""

from __future__ import annotations

from typing import Any

from headwater.exceptions import RunStoreError
from headwater.utilities.api_client import ApiClient, epoch, shown_url

#: the most one `POST /automations/filter` answers
PAGE = 200


class ApiAutomationStorage:
    """Automation definitions on the server at `api_url` (Prefect's /automations routes)."""

    def __init__(self, api_url: str, api_key: str | None = None) -> None:
        self.api = ApiClient(api_url, api_key, RunStoreError, local_alternative="local automations")

    def __repr__(self) -> str:
        return f"ApiAutomationStorage({shown_url(self.api.url)!r})"

    def close(self) -> None:
        self.api.close()

    def create(self, name: str, enabled: bool, spec: dict[str, Any]) -> str:
        answer = self.api.request("POST", "/automations/", json=_body(name, enabled, spec))
        return str(answer["id"])

    def update(self, automation_id: str, name: str, enabled: bool, spec: dict[str, Any]) -> bool:
        body = _body(name, enabled, spec)
        return self.api.found("PUT", f"/automations/{automation_id}", json=body)

    def set_enabled(self, automation_id: str, enabled: bool) -> bool:
        body = {"enabled": enabled}
        return self.api.found("PATCH", f"/automations/{automation_id}", json=body)

    def delete(self, automation_id: str) -> bool:
        return self.api.found("DELETE", f"/automations/{automation_id}")

    def read(self, automation_id: str) -> dict[str, Any] | None:
        found = self.api.request("GET", f"/automations/{automation_id}", missing_ok=True)
        return None if found is None else _row(found)

    def read_by_name(self, name: str) -> list[dict[str, Any]]:
        """The automations named `name`, oldest first; the server does the filtering
        (Prefect's `AutomationFilter`, as its `read_automations_by_name` sends it)."""
        return self._filtered({"automations": {"name": {"any_": [name]}}})

    def _filtered(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        """Every automation `POST /automations/filter` gives for `body`, PAGE at a time."""
        rows: list[dict[str, Any]] = []
        while True:
            page = self.api.request(
                "POST", "/automations/filter", json={**body, "offset": len(rows), "limit": PAGE}
            )
            rows += [_row(item) for item in page]
            if len(page) < PAGE:
                return rows

    def list(self, enabled_only: bool = False) -> list[dict[str, Any]]:
        rows = self._filtered({})
        return [r for r in rows if r["enabled"]] if enabled_only else rows


def _body(name: str, enabled: bool, spec: dict[str, Any]) -> dict[str, Any]:
    return {**spec, "name": name, "enabled": enabled}


def _row(item: dict[str, Any]) -> dict[str, Any]:
    """An automation as the server answers it -> a row as `AutomationStorage` gives it."""
    spec = {k: v for k, v in item.items() if k not in ("id", "created", "updated")}
    return {
        "id": item["id"],
        "name": item["name"],
        "enabled": bool(item["enabled"]),
        "spec": spec,
        "created": epoch(item.get("created")),
        "updated": epoch(item.get("updated")),
    }
