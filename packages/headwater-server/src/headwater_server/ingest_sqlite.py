"""`BatchWriter` for the embedded SQLite store of the server's HEADWATER_HOME.

One connection, used under a lock: SQLite takes one writer at a time anyway, and
each batch is one short transaction (core's `write_records`, the same rows the
embedded store's writer makes). WAL with synchronous=NORMAL: a committed batch
survives the server being killed (SIGKILL); only a power loss can lose the last ones.

Each client process gets a row in `processes` (hostname `api:<its host>`, its uuid
as `create_time`), which its runs point at. Processes opening the home directly
judge only rows of their own hostname, so they never sweep a server client's runs;
`sweep_silent` does, by heartbeat.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from headwater.history.batch import write_records
from headwater.history.connection import connect, in_transaction, use_wal
from headwater.history.crash import mark_crashed
from headwater.history.records import Event, FlowRun, LogEntry, StateChange, TaskRun
from headwater.history.sqlite import ensure_schema

from headwater_server.ingest import ClientInfo

__all__ = ["SQLiteBatchWriter"]

#: the server's own table beside the history schema: every batch id already applied
_SCHEMA = """
CREATE TABLE IF NOT EXISTS ingested_batches (
    batch_id TEXT PRIMARY KEY,
    applied  REAL NOT NULL
)
"""
#: hostnames of server clients in `processes` start with this
CLIENT_HOST_PREFIX = "api:"
#: how long a write waits out another process's lock on the home before failing (503)
PATIENCE = 30.0


class SQLiteBatchWriter:
    """Writes client batches into `home/headwater.db`."""

    def __init__(self, home: Path) -> None:
        self.path = Path(home) / "headwater.db"
        ensure_schema(self.path)
        self._conn = connect(self.path)
        use_wal(self._conn)
        self._conn.execute(_SCHEMA)
        self._lock = threading.Lock()
        self._clients: dict[str, int] = {}
        self.started = time.time()

    def write_batch(
        self,
        batch_id: str,
        flow_runs: Sequence[FlowRun],
        task_runs: Sequence[TaskRun],
        states: Sequence[StateChange],
        logs: Sequence[LogEntry],
        events: Sequence[Event],
        client: ClientInfo | None = None,
    ) -> bool:
        records: list[Any] = [*flow_runs, *task_runs, *states, *logs, *events]

        def apply(c: sqlite3.Connection) -> bool:
            if c.execute(
                "SELECT 1 FROM ingested_batches WHERE batch_id = ?", (batch_id,)
            ).fetchone():
                return False
            process_row = self._process_row(c, client) if client is not None else None
            write_records(c, records, process_row)
            c.execute(
                "INSERT INTO ingested_batches (batch_id, applied) VALUES (?, ?)",
                (batch_id, time.time()),
            )
            return True

        with self._lock:
            return bool(in_transaction(self._conn, apply, PATIENCE))

    def heartbeat(self, client: ClientInfo) -> None:
        with self._lock:
            in_transaction(self._conn, lambda c: self._process_row(c, client), PATIENCE)

    def _process_row(self, c: sqlite3.Connection, client: ClientInfo) -> int:
        """The client's `processes` row (created on its first batch), its last_seen moved on."""
        host = CLIENT_HOST_PREFIX + client.hostname
        row = self._clients.get(client.id)
        if row is not None:
            updated = c.execute(
                "UPDATE processes SET last_seen = MAX(COALESCE(last_seen, 0), ?) WHERE id = ?",
                (client.alive_at, row),
            ).rowcount
            if updated:
                return row
        found = c.execute(
            "SELECT id FROM processes WHERE hostname = ? AND create_time = ?",
            (host, client.id),
        ).fetchone()
        if found is not None:
            row = int(found[0])
            c.execute(
                "UPDATE processes SET last_seen = MAX(COALESCE(last_seen, 0), ?) WHERE id = ?",
                (client.alive_at, row),
            )
        else:
            cur = c.execute(
                "INSERT INTO processes (pid, create_time, hostname, started, last_seen) "
                "VALUES (?, ?, ?, ?, ?)",
                (client.pid, client.id, host, client.alive_at, client.alive_at),
            )
            row = int(cur.lastrowid or 0)
        self._clients[client.id] = row
        return row

    def sweep_silent(self, client_timeout: float) -> int:
        # Time the server was down does not count: a client may be waiting to resend.
        cutoff = time.time() - client_timeout
        if self.started > cutoff:
            return 0

        def sweep(c: sqlite3.Connection) -> int:
            silent = c.execute(
                "SELECT id, pid, COALESCE(last_seen, started) FROM processes "
                "WHERE hostname LIKE ? AND COALESCE(last_seen, started) < ?",
                (CLIENT_HOST_PREFIX + "%", cutoff),
            ).fetchall()
            for row, *_ in silent:
                self._clients = {k: v for k, v in self._clients.items() if v != row}
            return mark_crashed(c, [(int(r), int(p), float(s)) for r, p, s in silent])

        with self._lock:
            return int(in_transaction(self._conn, sweep, PATIENCE))

    def close(self) -> None:
        with self._lock:
            self._conn.close()
