"""Every route the server documents answers bad input with a 4xx, never a 500: malformed
JSON, bodies of the wrong shape, injection strings in path parameters and bodies."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hw_services import Service

INJECTION = "x' OR '1'='1'; DROP TABLE flow_runs; --"
BODIES: list[tuple[str, Any]] = [
    ("not json", b"{not json"),
    ("a list", b"[]"),
    ("a number", b"42"),
    ("wrong types", b'{"limit": "many", "offset": -1, "name": 7, "enabled": "maybe"}'),
    ("injection", f'{{"name": "{INJECTION}", "flow_runs": {{"id": {{"any_": ["{INJECTION}"]}}}}}}'),
]


def _routes(api: httpx.Client) -> list[tuple[str, str, bool]]:
    schema = api.get("/openapi.json").json()
    found = []
    for path, methods in schema["paths"].items():
        for method, spec in methods.items():
            found.append((method.upper(), path, "requestBody" in spec))
    return found


def _fill(path: str) -> str:
    while "{" in path:
        start, end = path.index("{"), path.index("}")
        path = path[:start] + INJECTION.replace("/", "") + path[end + 1 :]
    return path


@pytest.mark.parametrize("label,body", BODIES, ids=[b[0] for b in BODIES])
def test_bad_bodies_get_a_4xx_on_every_route(
    server: Service, api: httpx.Client, label: str, body: Any
) -> None:
    failures = []
    for method, path, takes_body in _routes(api):
        if not takes_body:
            continue
        answer = api.request(
            method, _fill(path), content=body, headers={"Content-Type": "application/json"}
        )
        if answer.status_code >= 500:
            failures.append(f"{method} {path}: {answer.status_code} {answer.text[:200]}")
    assert not failures, "\n".join(failures)


def test_injection_in_path_parameters_gets_a_4xx_or_nothing(
    server: Service, api: httpx.Client
) -> None:
    failures = []
    for method, path, takes_body in _routes(api):
        if "{" not in path or takes_body:
            continue
        answer = api.request(method, _fill(path))
        if answer.status_code >= 500:
            failures.append(f"{method} {path}: {answer.status_code} {answer.text[:200]}")
    assert not failures, "\n".join(failures)
    # the history is still there
    assert api.post("/api/flow_runs/filter", json={}).status_code == 200
