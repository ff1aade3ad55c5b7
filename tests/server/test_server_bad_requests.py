"""Bad requests as clients send them: 4xx with a message naming the problem, never a 500."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from hw_services import Service

JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "body"),
        ('"text"', "body"),
        ('{"limit": "ten"}', "limit"),
        ('{"limit": -1}', "limit"),
        ('{"limit": 201}', "limit"),
        ('{"offset": -5}', "offset"),
        ('{"sort": "SIDEWAYS"}', "sort"),
        ('{"flow_runs": {"id": {"any_": "not-a-list"}}}', "flow_runs.id.any_"),
        ('{"flow_runs": {"start_time": {"after_": "yesterday-ish"}}}', "start_time.after_"),
        ('{"flow_runs": {"tags": {"all_": [1, {"a": 2}]}}}', "tags.all_"),
        ('{"flow_runs": {"colour": {"any_": ["red"]}}}', "flow_runs.colour"),
        ('{"deployments": {}}', "deployments"),
    ],
)
def test_malformed_flow_run_filters_are_422_naming_the_field(
    api: httpx.Client, body: str, named: str
) -> None:
    answer = api.post("/api/flow_runs/filter", content=body, headers=JSON)
    assert answer.status_code == 422, answer.text
    assert named in answer.json()["detail"], answer.json()


def test_malformed_task_run_and_log_filters_are_422(api: httpx.Client) -> None:
    bad = api.post("/api/task_runs/filter", json={"task_runs": {"flow_run_id": {"is_null_": "x"}}})
    assert bad.status_code == 422 and "is_null_" in bad.json()["detail"]
    level = api.post("/api/logs/filter", json={"logs": {"level": {"ge_": "loud"}}})
    assert level.status_code == 422 and "level.ge_" in level.json()["detail"]


def test_logs_without_a_run_filter_say_what_to_send(api: httpx.Client) -> None:
    answer = api.post("/api/logs/filter", json={})
    assert answer.status_code == 422
    assert "logs.flow_run_id.any_" in answer.json()["detail"]


def test_sql_injection_strings_are_only_values(api: httpx.Client) -> None:
    before = api.post("/api/flow_runs/filter", json={}).json()
    for evil in ("' OR 1=1 --", "x'); DROP TABLE flow_runs; --", "%", "\u0000"):
        for body in (
            {"flow_runs": {"id": {"any_": [evil]}}},
            {"flow_runs": {"name": {"any_": [evil]}}},
            {"flows": {"name": {"any_": [evil]}}},
            {"flow_runs": {"state": {"type": {"any_": [evil]}}}},
        ):
            answer = api.post("/api/flow_runs/filter", json=body)
            assert answer.status_code == 200 and answer.json() == [], (body, answer.text)
        tasks = api.post(
            "/api/task_runs/filter", json={"task_runs": {"flow_run_id": {"any_": [evil]}}}
        )
        assert tasks.status_code == 200 and tasks.json() == []
        lines = api.post("/api/logs/filter", json={"logs": {"flow_run_id": {"any_": [evil]}}})
        assert lines.status_code == 200 and lines.json() == []
        quoted = httpx.URL("/api/flow_runs/").join(evil.replace("\u0000", "%00"))
        assert api.get(quoted).status_code == 404
    assert api.post("/api/flow_runs/filter", json={}).json() == before


def test_oversized_body_is_413(api: httpx.Client) -> None:
    big = b'{"flow_runs": {"name": {"any_": ["' + b"x" * 1_100_000 + b'"]}}}'
    declared = api.post("/api/flow_runs/filter", content=big, headers=JSON)
    assert declared.status_code == 413 and "bytes" in declared.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for start in range(0, len(big), 65536):
            yield big[start : start + 65536]

    streamed = api.post("/api/flow_runs/filter", content=chunks(), headers=JSON)
    assert streamed.status_code == 413
    assert api.post("/api/flow_runs/filter", json={}).status_code == 200  # still serving


def test_unknown_routes_and_methods(api: httpx.Client, server: Service) -> None:
    assert api.get("/api/nothing-here").status_code == 404
    assert api.delete("/api/flow_runs/x").status_code == 405
    assert api.get("/api/flow_runs/filter").status_code in (404, 405)
    assert server.process.poll() is None
