"""A real `headwater server start` on a free port (tests/hw_services.py), an httpx client.

The server runs as its own process over a home of its own; runs are recorded into
that home by other processes (tests/server/record_runs.py), never through the server.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hw_services import Service, free_port, missing_service, running_service

RECORD_RUNS = Path(__file__).with_name("record_runs.py")


@pytest.fixture(autouse=True)
def _server_deps_installed() -> None:
    for module, pip in (
        ("fastapi", "headwater-server"),
        ("uvicorn", "headwater-server"),
        ("httpx", "httpx"),
    ):
        if importlib.util.find_spec(module) is None:
            missing_service(f"{module} (for the server tests)", f"pip install {pip}")


def record_runs(home: Path) -> None:
    """Run three flows (one failing) in another process, with no server involved."""
    done = subprocess.run(
        [sys.executable, str(RECORD_RUNS)],
        env={**os.environ, "HEADWATER_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]


@contextlib.contextmanager
def headwater_server(
    home: Path, log_dir: Path, env: dict[str, str] | None = None
) -> Iterator[tuple[Service, float]]:
    """`headwater server start --port FREE` over `home`; yields it and the seconds until
    /api/health first answered."""
    port = free_port()
    first_health: list[float] = []
    started = time.perf_counter()

    def healthy(service: Service) -> bool:
        try:
            answered = httpx.get(f"{service.url}/api/health", timeout=1).json() is True
        except httpx.HTTPError:
            return False
        if answered and not first_health:
            first_health.append(time.perf_counter() - started)
        return answered

    argv = [sys.executable, "-m", "headwater", "server", "start", "--port", str(port)]
    with running_service(
        "headwater-server",
        argv,
        port=port,
        log_dir=log_dir,
        ready=healthy,
        env={"HEADWATER_HOME": str(home), **(env or {})},
    ) as service:
        yield service, first_health[0]


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
