"""Events, blocks, automations, flows, run states and task-run pages, over a real server
reading a home that another process recorded runs, a secret block and an automation into."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from server_process import record_runs

SECRET = "hw-sentinel-secret-5b81e2"
RECORD_BLOCKS = Path(__file__).with_name("record_blocks.py")
INJECTIONS = ["' OR 1=1 --", "x'); DROP TABLE events; --", '" OR ""="', "*", "%"]


@pytest.fixture(scope="module")
def server_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Overrides conftest's: runs, plus a saved Secret block and an automation."""
    home = tmp_path_factory.mktemp("server-home")
    record_runs(home)
    done = subprocess.run(
        [sys.executable, str(RECORD_BLOCKS)],
        env={**os.environ, "HEADWATER_HOME": str(home), "SECRET_SENTINEL": SECRET},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return home


def post(api: httpx.Client, path: str, body: Any = None, status: int = 200) -> Any:
    answer = api.post(path, json=body if body is not None else {})
    assert answer.status_code == status, answer.text
    return answer.json()


def test_event_pages_follow_next_page_to_the_end(api: httpx.Client) -> None:
    first = post(api, "/api/events/filter", {"limit": 4})
    seqs, answer = [], first
    while True:
        seqs += [e["seq"] for e in answer["events"]]
        if answer["next_page"] is None:
            break
        answer = api.get(answer["next_page"]).json()
    assert first["total"] == len(seqs) > 8
    assert seqs == sorted(seqs, reverse=True) and len(set(seqs)) == len(seqs)
    ascending = post(api, "/api/events/filter", {"filter": {"order": "ASC"}, "limit": 50})
    assert [e["seq"] for e in ascending["events"]] == sorted(seqs)[:50]
    event = first["events"][0]
    assert set(event) >= {"id", "event", "occurred", "resource", "related", "payload"}
    assert event["occurred"].endswith("Z")


def test_event_filters(api: httpx.Client) -> None:
    def events(flt: dict[str, Any]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = post(api, "/api/events/filter", {"filter": flt})["events"]
        return found

    failed = events({"event": {"name": ["prefect.flow-run.Failed"]}})
    assert [e["event"] for e in failed] == ["headwater.flow-run.Failed"]
    flow_run_events = events({"event": {"prefix": ["headwater.flow-run."]}})
    assert flow_run_events and all(
        e["event"].startswith("headwater.flow-run.") for e in flow_run_events
    )
    no_runs = events({"event": {"exclude_prefix": ["headwater.flow-run.", "headwater.task-run."]}})
    assert all("-run." not in e["event"] for e in no_runs)
    run_id = failed[0]["resource"]["headwater.resource.id"]
    assert {
        e["resource"]["headwater.resource.id"] for e in events({"resource": {"id": [run_id]}})
    } == {run_id}
    broken = events({"related": {"id": ["headwater.flow.broken"]}})
    assert broken and all(
        e["resource"]["headwater.resource.id"] == run_id for e in broken if "flow-run" in e["event"]
    )
    assert events({"occurred": {"since": "2999-01-01T00:00:00Z"}}) == []
    assert events({"event": {"like_": ["*.Fail*"]}}) != []


def test_event_counts_add_up_to_the_total(api: httpx.Client) -> None:
    total = post(api, "/api/events/filter", {"limit": 1})["total"]
    counts = post(api, "/api/events/count-by/event", {})
    assert sum(c["count"] for c in counts) == total
    assert {"value": "headwater.flow-run.Failed", "count": 1} == {
        k: v for k, v in next(c for c in counts if c["value"].endswith("flow-run.Failed")).items()
        if k in ("value", "count")
    }  # fmt: skip


def test_a_page_token_not_given_out_is_refused(api: httpx.Client) -> None:
    for token in ("not-base64!", "e30=", "eyJhZnRlciI6ICJ4In0="):
        answer = api.get("/api/events/filter/next", params={"page-token": token})
        assert answer.status_code == 403 and "page-token" in answer.json()["detail"]


def test_injection_strings_are_values_not_sql(api: httpx.Client) -> None:
    total = post(api, "/api/events/filter", {"limit": 1})["total"]
    for text in INJECTIONS:
        for flt in (
            {"event": {"name": [text]}},
            {"event": {"prefix": [text]}},
            {"resource": {"id": [text]}},
            {"related": {"id": [text]}},
            {"id": {"id": [text]}},
        ):
            assert post(api, "/api/events/filter", {"filter": flt})["events"] == [], flt
        assert post(api, "/api/flows/filter", {"flows": {"name": {"any_": [text]}}}) == []
        assert post(api, "/api/block_documents/filter",
                    {"block_documents": {"name": {"any_": [text]}}}) == []  # fmt: skip
        assert api.get("/api/flow_run_states/", params={"flow_run_id": text}).json() == []
        assert api.get(f"/api/automations/{text}").status_code == 404
    assert post(api, "/api/events/filter", {"limit": 1})["total"] == total  # nothing dropped


def _raw_secret_tokens(home: Path) -> list[str]:
    with sqlite3.connect(home / "headwater.db") as conn:
        (data,) = conn.execute("SELECT data FROM block_document").fetchone()
    return [v["__headwater_secret__"] for v in json.loads(data).values() if isinstance(v, dict)]


def test_secret_block_values_are_masked_and_never_sent(
    api: httpx.Client, server_home: Path
) -> None:
    documents = post(api, "/api/block_documents/filter", {})
    (secret,) = documents
    assert secret["name"] == "db-password" and secret["data"] == {"value": "********"}
    assert secret["block_type"]["slug"] == "secret" and secret["block_schema"]["fields"]
    answers = [
        json.dumps(documents),
        api.get(f"/api/block_documents/{secret['id']}").text,
        json.dumps(post(api, "/api/block_types/filter", {})),
        json.dumps(post(api, "/api/block_schemas/filter", {})),
        json.dumps(post(api, "/api/events/filter", {})),
        api.get("/openapi.json").text,
    ]
    tokens = _raw_secret_tokens(server_home)
    assert tokens  # the stored document does hold an encrypted value
    for text in answers:
        assert SECRET not in text
        assert all(token not in text for token in tokens)
    refused = api.post("/api/block_documents/filter", json={"include_secrets": True})
    assert refused.status_code == 422 and "never sends secret" in refused.json()["detail"]
    by_id = api.get(f"/api/block_documents/{secret['id']}", params={"include_secrets": "true"})
    assert by_id.status_code == 422 and SECRET not in by_id.text


def test_block_filters_and_unknown_ids(api: httpx.Client) -> None:
    types = post(api, "/api/block_types/filter", {"block_types": {"slug": {"any_": ["secret"]}}})
    assert [t["slug"] for t in types] == ["secret"]
    schemas = post(api, "/api/block_schemas/filter",
                   {"block_schemas": {"block_type_id": {"any_": [types[0]["id"]]}}})  # fmt: skip
    assert [s["block_type_id"] for s in schemas] == [types[0]["id"]]
    by_type = post(
        api, "/api/block_documents/filter", {"block_types": {"slug": {"any_": ["nope"]}}}
    )
    assert by_type == []
    assert api.get("/api/block_documents/00000000-0000-0000-0000-000000000000").status_code == 404
    bad = api.post("/api/block_documents/filter", json={"block_documents": {"name": {"any_": "x"}}})
    assert bad.status_code == 422


def test_automations(api: httpx.Client) -> None:
    (automation,) = post(api, "/api/automations/filter", {})
    assert automation["name"] == "flag failures" and automation["enabled"] is True
    assert automation["trigger"]["expect"] == ["headwater.flow-run.Failed"]
    assert api.get(f"/api/automations/{automation['id']}").json() == automation
    assert api.get("/api/automations/nope").status_code == 404


def test_flows_and_state_histories(api: httpx.Client) -> None:
    flows = post(api, "/api/flows/filter", {})
    assert [f["name"] for f in flows] == ["broken", "etl"]
    assert [f["name"] for f in post(api, "/api/flows/filter", {"sort": "NAME_DESC"})] == [
        "etl",
        "broken",
    ]
    assert (
        post(api, "/api/flows/filter", {"flows": {"name": {"like_": "ET"}}})[0]["id"]
        == flows[1]["id"]
    )
    (broken,) = post(api, "/api/flow_runs/filter", {"flows": {"name": {"any_": ["broken"]}}})
    states = api.get("/api/flow_run_states/", params={"flow_run_id": broken["id"]}).json()
    assert [s["type"] for s in states] == ["PENDING", "RUNNING", "FAILED"]
    assert states[-1]["state_details"]["flow_run_id"] == broken["id"]
    (boom,) = post(api, "/api/task_runs/filter", {"flow_runs": {"id": {"any_": [broken["id"]]}}})
    task_states = api.get("/api/task_run_states/", params={"task_run_id": boom["id"]}).json()
    assert task_states[-1]["type"] == "FAILED"
    assert api.get("/api/flow_run_states/", params={"flow_run_id": boom["id"]}).json() == []
    assert api.get("/api/task_run_states/").status_code == 422  # the id is required


def test_task_run_cursor_pages_cover_every_run_once(api: httpx.Client) -> None:
    everything = post(api, "/api/task_runs/filter", {"sort": "ID_DESC"})
    seen: list[str] = []
    body: dict[str, Any] = {"limit": 2}
    while True:
        answer = post(api, "/api/task_runs/paginate", body)
        seen += [r["id"] for r in answer["results"]]
        if answer["next_cursor"] is None:
            break
        body = {"limit": 2, "cursor": answer["next_cursor"]}
    assert seen == [r["id"] for r in everything] and len(seen) == 6
    paged = post(api, "/api/task_runs/paginate", {"limit": 2, "page": 2, "sort": "ID_DESC"})
    assert [r["id"] for r in paged["results"]] == seen[2:4]
    assert (paged["count"], paged["pages"]) == (6, 3)
    parent = everything[0]["flow_run_id"]
    one_flow = post(api, "/api/task_runs/paginate",
                    {"task_runs": {"flow_run_id": {"any_": [parent]}}})  # fmt: skip
    assert {r["flow_run_id"] for r in one_flow["results"]} == {parent}
    for bad in ({"cursor": "nope"}, {"flows": {"name": {"any_": ["etl"]}}}):
        answer = api.post("/api/task_runs/paginate", json=bad)
        assert answer.status_code == 422 and "cursor" in answer.json()["detail"]


def test_find_runs_by_short_id_prefix_or_name(api: httpx.Client) -> None:
    (broken,) = post(api, "/api/flow_runs/filter", {"flows": {"name": {"any_": ["broken"]}}})
    for ref in (broken["id"], broken["id"][-8:], broken["id"][:30], broken["name"]):
        assert [r["id"] for r in post(api, "/api/flow_runs/find", {"ref": ref})] == [broken["id"]]
    tasks = post(api, "/api/task_runs/filter", {})
    found = post(api, "/api/task_runs/find", {"ref": tasks[0]["id"][-8:]})
    assert [r["id"] for r in found] == [tasks[0]["id"]]
    for text in INJECTIONS:
        assert post(api, "/api/task_runs/find", {"ref": text}) == []
    assert api.post("/api/flow_runs/find", json={"ref": ""}).status_code == 422


def test_openapi_documents_the_new_routes(api: httpx.Client) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    for path in (
        "/api/events/filter", "/api/events/filter/next", "/api/events/count-by/{countable}",
        "/api/block_documents/filter", "/api/block_documents/{id}", "/api/block_types/filter",
        "/api/block_schemas/filter", "/api/automations/filter", "/api/automations/{id}",
        "/api/flow_run_states/", "/api/task_run_states/", "/api/flows/filter",
        "/api/task_runs/paginate", "/api/flow_runs/find", "/api/task_runs/find",
    ):  # fmt: skip
        assert path in paths, path
