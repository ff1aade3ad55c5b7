"""HEADWATER_SERVER_API_KEY: every /api call but GET /api/health needs `Bearer <key>`; the key
never shows in a response, an error or the server's log."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hw_services import Service
from server_process import headwater_server

SENTINEL = "hw-sentinel-key-7f3a9c"


@pytest.fixture(scope="module")
def keyed_server(server_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    env = {"HEADWATER_SERVER_API_KEY": SENTINEL}
    logs = tmp_path_factory.mktemp("keyed-logs")
    with headwater_server(server_home, logs, env) as (service, _):
        yield service


def _calls(client: httpx.Client, headers: dict[str, str]) -> list[httpx.Response]:
    return [
        client.get("/api/version", headers=headers),
        client.post("/api/flow_runs/filter", json={}, headers=headers),
        client.post("/api/task_runs/filter", json={"limit": 1}, headers=headers),
        client.post("/api/logs/filter", json={}, headers=headers),
        client.get("/api/flow_runs/nope", headers=headers),
        client.post("/api/flow_runs/filter", content="{bad", headers=headers),
        client.post("/api/health", headers=headers),
    ]


def test_missing_or_wrong_key_is_401_revealing_nothing(keyed_server: Service) -> None:
    with httpx.Client(base_url=keyed_server.url, timeout=30) as client:
        for headers in (
            {},
            {"Authorization": "Bearer wrong"},
            {"Authorization": f"Bearer {SENTINEL}x"},
            {"Authorization": f"Bearer {SENTINEL[:-1]}"},
            {"Authorization": SENTINEL},
            {"Authorization": f"Basic {SENTINEL}"},
            {"Authorization": f"Bearer  {SENTINEL}"},
        ):
            for answer in _calls(client, headers):
                assert answer.status_code == 401, (headers, answer.request.url, answer.text)
                assert answer.json() == {"detail": "Unauthorized"}
                assert SENTINEL not in answer.text and SENTINEL not in str(answer.headers)


def test_right_key_opens_the_api(keyed_server: Service) -> None:
    auth = {"Authorization": f"Bearer {SENTINEL}"}
    with httpx.Client(base_url=keyed_server.url, timeout=30, headers=auth) as client:
        runs = client.post("/api/flow_runs/filter", json={})
        assert runs.status_code == 200 and len(runs.json()) == 3
        assert client.get("/api/version").status_code == 200
        assert client.get("/api/flow_runs/nope").status_code == 404
        bad = client.post("/api/flow_runs/filter", content="{bad")
        assert bad.status_code == 422
        for answer in (runs, bad, client.get("/openapi.json")):
            assert SENTINEL not in answer.text and SENTINEL not in str(answer.headers)


def test_health_stays_open_as_in_prefect(keyed_server: Service) -> None:
    # Prefect's PREFECT_SERVER_API_AUTH_STRING leaves GET /api/health (and /ready) open for probes
    answer = httpx.get(f"{keyed_server.url}/api/health", timeout=30)
    assert answer.status_code == 200 and answer.json() is True


def test_key_never_in_the_server_log(keyed_server: Service) -> None:
    with httpx.Client(base_url=keyed_server.url, timeout=30) as client:
        _calls(client, {"Authorization": f"Bearer {SENTINEL}-wrong"})
        _calls(client, {"Authorization": f"Bearer {SENTINEL}"})
    log = keyed_server.log_path.read_text(errors="replace")
    assert "API key required" in log  # the server says a key is needed...
    assert SENTINEL not in log  # ...never which


def test_without_a_key_everything_is_open(api: httpx.Client) -> None:
    assert api.post("/api/flow_runs/filter", json={}).status_code == 200
    assert api.get("/api/version").status_code == 200
