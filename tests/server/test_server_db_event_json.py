"""A state event's JSON, written out by hand for speed (database/events.py), is the text
json.dumps gives for the same labels and payload, whatever the names and messages hold."""

from __future__ import annotations

import json
from typing import Any

import pytest
from headwater_server.database.events import iso, state_event_row

TEXTS = ["plain", "", 'quo"te', "back\\slash", "new\nline", "tab\t", "ünïcode ✓", "\x01ctl",
         "emoji 🐍", "</script>"]  # fmt: skip


def _expected(
    state: dict[str, Any], previous: dict[str, Any] | None, run_name: str
) -> tuple[str, str]:
    def shown(s: dict[str, Any]) -> dict[str, Any]:
        return {"type": s["type"], "name": s["name"], "message": s["message"] or ""}

    resource = {
        "headwater.resource.id": f"headwater.task-run.{state['run_id']}",
        "headwater.resource.name": run_name,
        "headwater.state-message": state["message"] or "",
        "headwater.state-name": state["name"],
        "headwater.state-timestamp": iso(state["timestamp"]),
        "headwater.state-type": state["type"],
    }
    payload = {
        "intended": {"from": previous["type"] if previous else None, "to": state["type"]},
        "initial_state": shown(previous) if previous else None,
        "validated_state": shown(state),
    }
    dump = lambda value: json.dumps(value, separators=(",", ":"))  # noqa: E731
    return dump(resource), dump(payload)


@pytest.mark.parametrize("text", TEXTS)
def test_state_event_json_is_what_json_dumps_writes(text: str) -> None:
    run_id = "0191e0c2-7a1b-7c3d-8e4f-001122334455"
    previous = {"run_id": run_id, "run_kind": "task", "type": "RUNNING", "name": text,
                "message": None, "timestamp": 1764100000.25, "seq": 7}  # fmt: skip
    state = {"run_id": run_id, "run_kind": "task", "type": "COMPLETED", "name": f"Done {text}",
             "message": text or None, "timestamp": 1764100001.5, "seq": 8}  # fmt: skip
    task = {"id": run_id, "name": f"t-{text}", "tags_json": "[]", "flow_run_id": None}
    for before in (None, previous):
        row = state_event_row(state, before, task, None, None)
        assert (row["resource_json"], row["payload_json"]) == _expected(state, before, f"t-{text}")
        json.loads(row["resource_json"]), json.loads(row["payload_json"])  # valid JSON
