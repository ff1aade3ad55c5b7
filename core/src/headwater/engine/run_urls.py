"""Where a flow run can be seen in a headwater server's UI (Prefect's `View at ...` line).

Read once per flow run, and only the API URL when none is set, so a flow run without
a server costs one settings lookup.
"""

from __future__ import annotations

from headwater import settings


def ui_url() -> str | None:
    """HEADWATER_UI_URL, else HEADWATER_API_URL without its `/api`; None without an API URL."""
    api = settings.get("api_url")
    if not api:
        return None
    explicit = settings.get("ui_url")
    if explicit:
        return explicit.rstrip("/")
    api = api.rstrip("/")
    return api.removesuffix("/api")


def flow_run_url(flow_run_id: str) -> str | None:
    """`http://HOST:PORT/runs/flow-run/<id>` when a server is configured, else None."""
    base = ui_url()
    return None if base is None else f"{base}/runs/flow-run/{flow_run_id}"
