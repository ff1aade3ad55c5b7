"""Fixtures for tests/server: a real `headwater server start` on a free port over a home
of its own, and an httpx client. Runs are recorded into that home by another process
(record_runs.py), never through the server."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hw_services import Service, missing_service
from server_process import headwater_server, record_runs


@pytest.fixture(scope="session", autouse=True)
def _server_installed() -> None:
    """Session-scoped so it runs before the module-scoped server starts."""
    for module, pip in (("fastapi", "headwater-server"), ("uvicorn", "headwater-server")):
        if importlib.util.find_spec(module) is None:
            missing_service(f"{module} (for the server tests)", f"pip install {pip}")


@pytest.fixture(scope="module")
def server_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("server-home")
    record_runs(home)
    return home


@pytest.fixture(scope="module")
def server(server_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    env = {"HEADWATER_SERVER_API_KEY": ""}
    with headwater_server(server_home, tmp_path_factory.mktemp("logs"), env) as (service, _):
        yield service


@pytest.fixture
def api(server: Service) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client
