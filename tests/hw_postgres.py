"""A real, throwaway PostgreSQL cluster for tests (shared by tests/sqlalchemy and tests/server).

One cluster per session: initdb and `pg_ctl -w start` on a free
port, data and socket in a /tmp directory (run as the `postgres` user when
the tests run as root, since initdb refuses root), stopped with
`pg_ctl stop -m fast` at the end. Each test gets its own database on it.
Without the server binaries the PostgreSQL tests skip locally and fail
under CI=true (`missing_service`). A conftest.py imports the fixtures it uses:
`from hw_postgres import pg_database, postgres`.
"""

from __future__ import annotations

import contextlib
import glob
import importlib.util
import os
import shutil
import signal
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hw_services import free_port, missing_service

# A sentinel: tests assert it never shows in a repr, log, error, CLI output or stored file.
PG_PASSWORD = "pg-sentinel-Pw-5d2c91"
PG_USER = "postgres"


@dataclass(frozen=True)
class Postgres:
    """A running cluster: where it listens and how to log in."""

    port: int
    data_dir: Path
    password: str = PG_PASSWORD
    user: str = PG_USER
    host: str = "127.0.0.1"

    def url(self, database: str = "postgres", driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://{self.user}:{self.password}@{self.host}:{self.port}/{database}"


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    for folder in reversed(found):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path and shutil.which("initdb") else None


def _as_postgres() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _run(argv: list[str], log: Path) -> None:
    with open(log, "ab") as out:
        done = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(
            f"{argv[len(_as_postgres())]} failed (exit {done.returncode}); its log:\n"
            + log.read_text(errors="replace")[-3000:]
        )


def _stop(pg_ctl: Path, data: Path, log: Path) -> None:
    """pg_ctl stop -m fast; if that fails, SIGQUIT the postmaster by its PID."""
    try:
        _run([*_as_postgres(), str(pg_ctl), "-D", str(data), "-m", "fast", "-w", "stop"], log)
        return
    except (RuntimeError, subprocess.TimeoutExpired):
        pass
    with contextlib.suppress(OSError, ValueError, IndexError):
        pid = int((data / "postmaster.pid").read_text().splitlines()[0])
        os.kill(pid, signal.SIGQUIT)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A PostgreSQL cluster on 127.0.0.1 for this test session."""
    if importlib.util.find_spec("psycopg") is None:
        missing_service("psycopg (the PostgreSQL driver)", 'pip install "psycopg[binary]"')
    pg_bin = _pg_bin()
    if pg_bin is None:
        missing_service(
            "PostgreSQL server binaries (initdb, pg_ctl)",
            "apt-get install -y postgresql (nox -s 'tests(sqlalchemy)' does this when root)",
        )
        raise AssertionError("unreachable")
    root = Path(tempfile.mkdtemp(prefix="hw-pg-", dir="/tmp"))
    root.chmod(0o755)  # postgres must traverse it
    pw_file = root / "pw"
    pw_file.write_text(PG_PASSWORD + "\n")
    pw_file.chmod(0o600)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(pw_file, "postgres", "postgres")
    data, log, port = root / "data", root / "server.log", free_port()
    _run(
        [
            *_as_postgres(), str(pg_bin / "initdb"), "-D", str(data), "-U", PG_USER,
            f"--pwfile={pw_file}", "--auth-local=trust", "--auth-host=scram-sha-256",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        ],
        root / "initdb.log",
    )  # fmt: skip
    pw_file.unlink()
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {root} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    pg_ctl = pg_bin / "pg_ctl"
    try:
        _run(
            [*_as_postgres(), str(pg_ctl), "-D", str(data), "-l", str(log), "-w", "-t", "60",
             "-o", options, "start"],
            root / "pg_ctl.log",
        )  # fmt: skip
        yield Postgres(port=port, data_dir=data)
    finally:
        _stop(pg_ctl, data, root / "pg_ctl.log")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_database(postgres: Postgres) -> Iterator[str]:
    """A fresh, empty database on the session's cluster (dropped after the test)."""
    from sqlalchemy import create_engine, text

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres.url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield name
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
