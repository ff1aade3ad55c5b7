"""Start a real `headwater server start` over a home, and record runs into a home from
another process (no server involved). Used by tests/server."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from hw_services import Service, free_port, running_service

RECORD_RUNS = Path(__file__).with_name("record_runs.py")


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
    home: Path, log_dir: Path, env: dict[str, str] | None = None, port: int | None = None
) -> Iterator[tuple[Service, float]]:
    """`headwater server start --port FREE` (or `port`) over `home`; yields it and the seconds
    until /api/health first answered."""
    port = port or free_port()
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
