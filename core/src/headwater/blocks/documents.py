"""Where saved blocks live: the `BlockStorage` interface and its embedded SQLite backend.

Blocks share the run store's database file (`HEADWATER_HOME/headwater.db`) so
one home holds one history, but use their own tables and their own
connection: the run store's writer thread is tuned for run records, and a
block save must be durable before `save()` returns. A server or PostgreSQL
backend implements the same interface (`headwater.blocks.api_storage` for a server).

Documents hold JSON in which secret values are already encrypted (see
`headwater.blocks.serialization`): storage never sees a secret in clear.
"""

from __future__ import annotations

import abc
import json
import os
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from headwater import settings
from headwater.blocks.errors import BlockExistsError
from headwater.history.connection import use_wal

SCHEMA = """
CREATE TABLE IF NOT EXISTS block_type (
    slug TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    class_path TEXT NOT NULL,
    description TEXT,
    logo_url TEXT,
    documentation_url TEXT,
    code_example TEXT,
    capabilities TEXT NOT NULL DEFAULT '[]',
    fields TEXT NOT NULL DEFAULT '{}',
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS block_document (
    id TEXT PRIMARY KEY,
    block_type_slug TEXT NOT NULL,
    name TEXT NOT NULL,
    data TEXT NOT NULL,
    secret_fields TEXT NOT NULL DEFAULT '[]',
    key_id TEXT,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    UNIQUE (block_type_slug, name)
);
CREATE TABLE IF NOT EXISTS block_document_reference (
    parent_id TEXT NOT NULL,
    field TEXT NOT NULL,
    ref_slug TEXT NOT NULL,
    ref_name TEXT NOT NULL,
    PRIMARY KEY (parent_id, field)
);
"""


@dataclass
class BlockTypeRecord:
    """A block class as listed by `headwater block types`."""

    slug: str
    name: str
    class_path: str
    description: str | None = None
    logo_url: str | None = None
    documentation_url: str | None = None
    code_example: str | None = None
    capabilities: list[str] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class BlockDocument:
    """One saved block: its JSON `data` with secrets encrypted, and where they are."""

    id: str
    block_type_slug: str
    name: str
    data: dict[str, Any]
    secret_fields: list[str]
    key_id: str | None
    created: float
    updated: float
    references: dict[str, tuple[str, str]] = field(default_factory=dict)


class BlockStorage(abc.ABC):
    """What blocks need from a backend (the embedded SQLite database, or a server)."""

    @abc.abstractmethod
    def upsert_type(self, record: BlockTypeRecord) -> None: ...

    @abc.abstractmethod
    def read_types(self) -> list[BlockTypeRecord]: ...

    @abc.abstractmethod
    def write_document(
        self,
        slug: str,
        name: str,
        data: dict[str, Any],
        secret_fields: list[str],
        key_id: str | None,
        references: dict[str, tuple[str, str]],
        overwrite: bool,
    ) -> str:
        """Store a document and return its id; BlockExistsError if present and not `overwrite`."""

    @abc.abstractmethod
    def read_document(self, slug: str, name: str) -> BlockDocument | None: ...

    @abc.abstractmethod
    def delete_document(self, slug: str, name: str) -> bool: ...

    @abc.abstractmethod
    def list_documents(self, slug: str | None = None) -> list[BlockDocument]: ...

    @abc.abstractmethod
    def key_ids(self) -> set[str]:
        """Fingerprints of the keys that encrypted the saved documents (empty if none did)."""


class SQLiteBlockStorage(BlockStorage):
    """Blocks in the embedded SQLite database, safe for several processes (WAL, busy timeout)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            str(path), timeout=30.0, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA busy_timeout = 30000")
        use_wal(conn)
        conn.executescript(SCHEMA)
        self._conn = conn

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _query(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def upsert_type(self, record: BlockTypeRecord) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO block_type (slug, name, class_path, description, logo_url, "
                "documentation_url, code_example, capabilities, fields, updated) "
                "VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(slug) DO UPDATE SET name=excluded.name, "
                "class_path=excluded.class_path, description=excluded.description, "
                "logo_url=excluded.logo_url, documentation_url=excluded.documentation_url, "
                "code_example=excluded.code_example, capabilities=excluded.capabilities, "
                "fields=excluded.fields, updated=excluded.updated",
                (
                    record.slug,
                    record.name,
                    record.class_path,
                    record.description,
                    record.logo_url,
                    record.documentation_url,
                    record.code_example,
                    json.dumps(record.capabilities),
                    json.dumps(record.fields),
                    time.time(),
                ),
            )

    def read_types(self) -> list[BlockTypeRecord]:
        rows = self._query(
            "SELECT slug, name, class_path, description, logo_url, documentation_url, "
            "code_example, capabilities, fields FROM block_type ORDER BY slug"
        )
        return [
            BlockTypeRecord(
                slug=row[0],
                name=row[1],
                class_path=row[2],
                description=row[3],
                logo_url=row[4],
                documentation_url=row[5],
                code_example=row[6],
                capabilities=json.loads(row[7]),
                fields=json.loads(row[8]),
            )
            for row in rows
        ]

    def write_document(
        self,
        slug: str,
        name: str,
        data: dict[str, Any],
        secret_fields: list[str],
        key_id: str | None,
        references: dict[str, tuple[str, str]],
        overwrite: bool,
    ) -> str:
        now = time.time()
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute(
                    "SELECT id, created FROM block_document WHERE block_type_slug=? AND name=?",
                    (slug, name),
                ).fetchone()
                if row is not None and not overwrite:
                    raise BlockExistsError(
                        f"A {slug!r} block named {name!r} is already saved ({slug}/{name}). "
                        "To replace it, save with `overwrite=True`."
                    )
                doc_id = row[0] if row else str(uuid.uuid4())
                created = row[1] if row else now
                conn.execute(
                    "INSERT OR REPLACE INTO block_document (id, block_type_slug, name, data, "
                    "secret_fields, key_id, created, updated) VALUES (?,?,?,?,?,?,?,?)",
                    (
                        doc_id,
                        slug,
                        name,
                        json.dumps(data),
                        json.dumps(secret_fields),
                        key_id,
                        created,
                        now,
                    ),
                )
                conn.execute("DELETE FROM block_document_reference WHERE parent_id=?", (doc_id,))
                conn.executemany(
                    "INSERT INTO block_document_reference VALUES (?,?,?,?)",
                    [(doc_id, f, s, n) for f, (s, n) in references.items()],
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return doc_id

    def _document(self, row: tuple[Any, ...]) -> BlockDocument:
        refs = self._query(
            "SELECT field, ref_slug, ref_name FROM block_document_reference WHERE parent_id=?",
            (row[0],),
        )
        return BlockDocument(
            row[0],
            row[1],
            row[2],
            json.loads(row[3]),
            json.loads(row[4]),
            row[5],
            row[6],
            row[7],
            references={f: (s, n) for f, s, n in refs},
        )

    _COLUMNS = "id, block_type_slug, name, data, secret_fields, key_id, created, updated"

    def read_document(self, slug: str, name: str) -> BlockDocument | None:
        rows = self._query(
            f"SELECT {self._COLUMNS} FROM block_document WHERE block_type_slug=? AND name=?",
            (slug, name),
        )
        return self._document(rows[0]) if rows else None

    def delete_document(self, slug: str, name: str) -> bool:
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute(
                    "SELECT id FROM block_document WHERE block_type_slug=? AND name=?", (slug, name)
                ).fetchone()
                if row is not None:
                    conn.execute("DELETE FROM block_document WHERE id=?", (row[0],))
                    conn.execute(
                        "DELETE FROM block_document_reference WHERE parent_id=?", (row[0],)
                    )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return row is not None

    def list_documents(self, slug: str | None = None) -> list[BlockDocument]:
        if slug is None:
            rows = self._query(
                f"SELECT {self._COLUMNS} FROM block_document ORDER BY block_type_slug, name"
            )
        else:
            rows = self._query(
                f"SELECT {self._COLUMNS} FROM block_document WHERE block_type_slug=? ORDER BY name",
                (slug,),
            )
        return [self._document(r) for r in rows]

    def key_ids(self) -> set[str]:
        rows = self._query("SELECT DISTINCT key_id FROM block_document WHERE key_id IS NOT NULL")
        return {row[0] for row in rows}


_storages: dict[str, BlockStorage] = {}
_storages_lock = threading.Lock()


def get_block_storage() -> BlockStorage:
    """The block storage in effect: the server's when HEADWATER_API_URL is set (one client
    per process, server and HEADWATER_API_KEY), else the embedded database of the current
    HEADWATER_HOME (one connection per process and database file)."""
    api_url = settings.get("api_url")
    if api_url:
        from headwater.blocks.api_storage import ApiBlockStorage
        from headwater.utilities.api_client import shared_client

        return shared_client(ApiBlockStorage, api_url, settings.get("api_key"))
    path = settings.home() / "headwater.db"
    key = f"{os.getpid()}:{path}"  # a forked child opens its own connection
    storage = _storages.get(key)
    if storage is None:
        with _storages_lock:
            storage = _storages.get(key)
            if storage is None:
                storage = _storages[key] = SQLiteBlockStorage(path)
    return storage
