"""Fixtures for tests/server: a real `headwater server start` on a free port over a home
of its own, and an httpx client. Runs are recorded into that home by another process
(record_runs.py), never through the server. The `server` fixture runs each test twice:
over the embedded home, and over a PostgreSQL database holding a copy of its runs
(HEADWATER_DATABASE_URL; the cluster is tests/hw_postgres.py's)."""

from __future__ import annotations

import contextlib
import importlib.util
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hw_postgres import Postgres, pg_database, postgres
from hw_services import Service, missing_service
from ingest_helpers import Backend
from server_process import headwater_server, record_runs

__all__ = ["Postgres", "pg_database", "postgres"]


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


@pytest.fixture(scope="module", params=["embedded", "postgres"])
def server(
    request: pytest.FixtureRequest, server_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Service]:
    env = {"HEADWATER_SERVER_API_KEY": ""}
    with contextlib.ExitStack() as stack:
        if request.param == "postgres":
            cluster: Postgres = request.getfixturevalue("postgres")
            env["HEADWATER_DATABASE_URL"] = stack.enter_context(_copy_in(cluster, server_home))
        logs = tmp_path_factory.mktemp("logs")
        with headwater_server(server_home, logs, env) as (service, _):
            yield service


@contextlib.contextmanager
def _copy_in(cluster: Postgres, home: Path) -> Iterator[str]:
    """A database of its own on `cluster` holding `home`'s runs; dropped afterwards."""
    from home_copy import copy_home
    from sqlalchemy import create_engine, text

    name = f"srv_{uuid.uuid4().hex[:12]}"
    admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        copy_home(home, cluster.url(name))
        yield cluster.url(name)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture
def pg_url(postgres: Postgres, pg_database: str) -> str:
    """The URL of a fresh, empty database of its own on the session's cluster."""
    return postgres.url(pg_database)


@pytest.fixture(params=["embedded", "postgres"])
def ingest_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """Where the server of an ingest test keeps what clients record: its home's embedded
    store, or an empty PostgreSQL database of its own (HEADWATER_DATABASE_URL)."""
    home = tmp_path / "server-home"
    if request.param == "postgres":
        return Backend("postgres", home, request.getfixturevalue("pg_url"))
    return Backend("embedded", home)


@pytest.fixture
def api(server: Service) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client
