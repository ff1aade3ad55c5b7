"""Start a real service for tests on 127.0.0.1, wait until it answers, stop it by PID.

Every package whose tests need a service (moto, Azurite, fake-gcs-server,
PostgreSQL, a Slack stand-in, the headwater server) starts it through
`running_service`, so start-up, readiness, log capture and the kill of the
whole process group are written once. With CI=true a missing program is a
failure, never a skip (`missing_service`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = ["Service", "free_port", "missing_service", "running_service", "wait_for_port"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def missing_service(what: str, fix: str) -> None:
    """Skip locally, fail under CI=true: CI must never pass by skipping a service."""
    message = f"{what} is not available: {fix}"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def wait_for_port(port: int, timeout: float, alive: Callable[[], bool] = lambda: True) -> bool:
    """True once something accepts TCP connections on 127.0.0.1:port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            return False
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return True
        time.sleep(0.05)
    return False


@dataclass
class Service:
    """A started service: where it listens and how to reach its log."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def _stop(process: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(grace)


@contextlib.contextmanager
def running_service(
    name: str,
    argv: Sequence[str],
    *,
    port: int,
    log_dir: Path,
    ready: Callable[[Service], bool] | None = None,
    timeout: float = 60.0,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> Iterator[Service]:
    """Run `argv` in its own process group until the block ends.

    Ready when `ready(service)` is true (default: the port accepts connections).
    A service that exits or never gets ready fails with the tail of its log.
    """
    log_path = log_dir / f"{name}.log"
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            list(argv),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            cwd=cwd,
            start_new_session=True,
        )
    service = Service(name, port, process, log_path)
    try:
        up = wait_for_port(port, timeout, alive=lambda: process.poll() is None)
        deadline = time.monotonic() + timeout
        while up and ready is not None and not ready(service):
            if process.poll() is not None or time.monotonic() > deadline:
                up = False
                break
            time.sleep(0.1)
        if not up:
            raise RuntimeError(
                f"{name} did not start on 127.0.0.1:{port} within {timeout:.0f} s "
                f"(exit code {process.poll()}); its log:\n{service.log_tail()}"
            )
        yield service
    finally:
        _stop(process)
