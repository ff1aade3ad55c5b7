"""`BatchWriter` over the server's database (HEADWATER_DATABASE_URL): client batches go
where the server reads its history from.

It borrows the reading side's `SQLAlchemyRunStore` (one engine, one pool). Each
client process gets a row in `server_clients` (its uuid unique), which its runs'
`process_id` points at, with the moment it was last known alive. `sweep_silent`
marks a silent client's unfinished runs Crashed as of that moment through the same
path as any client state (run row, state row and state event in one transaction),
with core's message. As in the embedded writer: only the server's own uptime counts
towards the timeout, and a row is claimed (deleted) before its runs are marked, so
two servers on one database never mark a run twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from headwater.exceptions import RunStoreError
from headwater.history.batch import UNFINISHED_SQL
from headwater.history.crash import crash_message
from headwater.history.records import Event, FlowRun, LogEntry, StateChange, TaskRun

from headwater_server.database import tables as t
from headwater_server.database.intake import MAX_BACKLOG, READ_WAIT, Intake
from headwater_server.database.urls import explain
from headwater_server.database.writes import write_batch, write_records

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from headwater_server.database.run_store import SQLAlchemyRunStore
    from headwater_server.ingest import ClientInfo, Records

__all__ = ["DatabaseBatchWriter"]


class DatabaseBatchWriter:
    """Writes client batches into the database of `store`; closes it only if `owns_store`."""

    def __init__(
        self,
        store: SQLAlchemyRunStore,
        *,
        owns_store: bool = False,
        decode: Callable[[bytes], Records] | None = None,
    ) -> None:
        self.store = store
        self._owns_store = owns_store
        self.started = time.time()
        #: with `decode` on PostgreSQL: batches are staged, then applied (see `intake`)
        self.intake: Intake | None = None
        if decode is not None and store.engine.dialect.name == "postgresql":
            self.intake = Intake(store.engine, decode, lambda exc: str(explain(exc, store._url)))
            self.intake.start()

    @property
    def staging(self) -> bool:
        return self.intake is not None

    def stage(
        self,
        batch_id: str,
        client: ClientInfo | None,
        body: bytes,
        on_applied: Callable[[], None] | None = None,
    ) -> bool:
        """Commit the batch as sent (and its client's last-seen moment); applied right after."""
        intake = self.intake
        if intake is None:
            raise RuntimeError("this writer applies batches at once: call write_batch")
        if intake.pending() >= MAX_BACKLOG:
            raise RunStoreError(
                f"{intake.pending()} client batches are waiting to be applied to "
                f"{self.store.url}; retry shortly"
            )
        seq = None
        try:
            with self.store._connect(write=True) as connection:
                process_id = _client_row(connection, client) if client is not None else None
                seq = intake.insert(connection, batch_id, process_id, body)
                if seq is not None:
                    intake.expect(seq, on_applied)
        except BaseException:
            if seq is not None:
                intake.forget(seq)
            raise
        if seq is not None:
            intake.committed(seq)
        intake.wake()
        return seq is not None

    def backlog(self) -> dict[str, int]:
        return (
            self.intake.backlog()
            if self.intake is not None
            else {"staged": 0, "failed": 0, "waited_for": 0}
        )

    def wait_applied(self, timeout: float = READ_WAIT) -> bool:
        """Until what this server acknowledged is applied (reads call this first)."""
        return self.intake.wait_applied(timeout) if self.intake is not None else True

    def __repr__(self) -> str:
        return f"DatabaseBatchWriter({self.store.url!r})"

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
        with self.store._connect(write=True) as connection:
            process_id = _client_row(connection, client) if client is not None else None
            return write_batch(
                connection,
                batch_id,
                list(flow_runs),
                list(task_runs),
                list(states),
                list(logs),
                list(events),
                process_id,
            )

    def heartbeat(self, client: ClientInfo) -> None:
        with self.store._connect(write=True) as connection:
            _client_row(connection, client)

    def sweep_silent(self, client_timeout: float) -> int:
        # Time the server was down does not count: a client may be waiting to resend.
        cutoff = time.time() - client_timeout
        if self.started > cutoff:
            return 0
        c = t.server_clients
        with self.store._connect(write=True) as connection:
            if self.intake is not None and self.intake.waiting_rows(connection):
                return 0  # a silent client's last states may be among them
            silent = connection.execute(
                sa.select(c.c.id, c.c.pid, c.c.last_seen).where(c.c.last_seen < cutoff)
            ).all()
            crashed: list[StateChange] = []
            for row, pid, last_seen in silent:
                claimed = connection.execute(sa.delete(c).where(c.c.id == row)).rowcount
                if claimed == 1:
                    crashed += _crashed_states(connection, row, pid, last_seen)
            write_records(connection, (), (), crashed, (), ())
        return len(crashed)

    def close(self) -> None:
        if self.intake is not None:
            self.intake.stop()
        if self._owns_store:
            self.store.close()


def _client_row(connection: Connection, client: ClientInfo) -> int:
    """The client's `server_clients` id (created on its first batch), last_seen moved on."""
    c = t.server_clients
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    stmt = insert(c).values(
        client=client.id,
        pid=client.pid,
        hostname=client.hostname,
        started=client.alive_at,
        last_seen=client.alive_at,
    )
    newer = sa.case((stmt.excluded.last_seen > c.c.last_seen, stmt.excluded.last_seen),
                    else_=c.c.last_seen)  # fmt: skip
    stmt = stmt.on_conflict_do_update(index_elements=["client"], set_={"last_seen": newer})
    return int(connection.execute(stmt.returning(c.c.id)).scalar_one())


def _crashed_states(
    connection: Connection, process_id: int, pid: int, last_seen: float
) -> list[StateChange]:
    """A Crashed state for each unfinished run of the client row, dated when it was last
    seen alive (never before the run's own latest state)."""
    out: list[StateChange] = []
    for table, kind in ((t.flow_runs, "flow"), (t.task_runs, "task")):
        runs: Any = connection.execute(
            sa.select(table.c.id, table.c.state_timestamp).where(
                table.c.process_id == process_id, sa.text(UNFINISHED_SQL)
            )
        )
        message = crash_message(pid, kind)
        out += [
            StateChange(run_id, kind, "CRASHED", "Crashed", message, max(ts or 0.0, last_seen))
            for run_id, ts in runs
        ]
    return out
