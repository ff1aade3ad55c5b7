"""The sqlalchemy tests: a real PostgreSQL cluster (tests/hw_postgres.py) plus SQLite URLs."""

from __future__ import annotations

from pathlib import Path

import pytest
from hw_postgres import Postgres, pg_database, postgres

__all__ = ["Postgres", "pg_database", "postgres"]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"
