"""Record intake on PostgreSQL: a client batch is acknowledged once it is stored as sent,
and applied to the run tables right after, in the order batches arrived.

Why: turning a batch of ~2,500 records into run upserts, state rows and their events
costs a PostgreSQL-backed server ~0.2 s; storing the batch as sent costs a few
milliseconds. A client waits only for the latter (its records are off its hot path,
but a script's exit waits for its last batch), and ten clients at once no longer
queue behind each other's normalisation.

What holds:
- durable: the body is committed in `record_intake` before the client gets its 2xx;
- once: applying a batch claims its id in `applied_batches` and deletes its intake row
  in one transaction (a resent or re-staged batch is skipped);
- in order: one applier at a time over every server on the database (an advisory
  transaction lock), rows in `seq` order; a client sends its next batch only after
  the previous one was acknowledged, so its batches apply in the order it made them;
- read your writes: this server's reads wait (up to `READ_WAIT` s) until what it had
  acknowledged when the read began is applied (`wait_applied`);
- nothing lost: a batch that cannot be applied (data the database refuses) keeps its
  row with the reason in `failed`, is logged, and is skipped; a database that went
  away is retried with backoff, the rows waiting where they are.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import sqlalchemy as sa

from headwater_server.database import tables as t

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

    from headwater_server.ingest import Records

__all__ = ["MAX_BACKLOG", "READ_WAIT", "Intake"]

logger = logging.getLogger("headwater.server")

#: the advisory lock an applier holds per transaction (any fixed number: "hw" + "ap")
APPLY_LOCK = 0x6877_6170
#: batches this server holds unapplied before it answers 503 (clients keep theirs, retry)
MAX_BACKLOG = 1000
#: seconds a read waits for acknowledged batches to be applied before answering anyway
READ_WAIT = 10.0
#: batches applied per transaction
TAKE = 20
#: the applier starts once no batch was staged for this long (a client's burst of
#: batches is acknowledged first: the applier's Python would slow every answer down)...
QUIET = 0.05
#: ...or once the oldest waiting batch is this old, or a read is waiting for it
MAX_DELAY = 1.0
#: seconds between looks at the table when nothing woke the applier (rows staged by
#: another server on the same database, or left by a server that was killed)
POLL = 1.0


class Intake:
    """The intake table of one database and the thread applying what it holds."""

    def __init__(
        self,
        engine: Engine,
        decode: Callable[[bytes], Records],
        describe: Callable[[BaseException], str] = repr,
    ) -> None:
        self._engine = engine
        self._decode = decode
        self._describe = describe  # errors as they may be logged (password masked)
        self._pending: dict[int, Callable[[], None] | None] = {}
        self._staged_at: dict[int, float] = {}  # monotonic, for MAX_DELAY
        self._committed: set[int] = set()  # of those pending, the ones surely visible
        self._last_staged = 0.0
        self._readers = 0
        self._changed = threading.Condition()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._trouble = False

    def __repr__(self) -> str:
        return f"Intake(pending={len(self._pending)})"

    # --- the request side ---------------------------------------------------------
    def insert(
        self, connection: Connection, batch_id: str, process_id: int | None, body: bytes
    ) -> int | None:
        """Stage a batch in the caller's transaction: its intake `seq`, or None if that
        batch id was staged or applied before (nothing written)."""
        applied = t.applied_batches.c.batch_id
        if connection.execute(sa.select(applied).where(applied == batch_id)).first():
            return None
        from sqlalchemy.dialects.postgresql import insert

        row = (
            insert(t.record_intake)
            .values(batch_id=batch_id, process_id=process_id, received=time.time(), body=body)
            .on_conflict_do_nothing(index_elements=["batch_id"])
            .returning(t.record_intake.c.seq)
        )
        seq: int | None = connection.execute(row).scalar()
        return seq

    def expect(self, seq: int, on_applied: Callable[[], None] | None) -> None:
        """Before the staging transaction commits: readers from now on wait for `seq`."""
        with self._changed:
            self._pending[seq] = on_applied
            self._staged_at[seq] = self._last_staged = time.monotonic()

    def committed(self, seq: int) -> None:
        """The staging transaction of `seq` committed (others can see and apply it)."""
        with self._changed:
            if seq in self._pending:
                self._committed.add(seq)

    def forget(self, seq: int) -> None:
        """The staging transaction failed: `seq` will never be applied."""
        with self._changed:
            self._pending.pop(seq, None)
            self._staged_at.pop(seq, None)
            self._changed.notify_all()

    def pending(self) -> int:
        return len(self._pending)

    def wake(self) -> None:
        self._wake.set()

    def wait_applied(self, timeout: float = READ_WAIT) -> bool:
        """Wait until every batch this server had acknowledged when called is applied."""
        with self._changed:
            if not self._pending:
                return True
            waiting = set(self._pending)
            self._readers += 1
            self._wake.set()
            try:
                return self._changed.wait_for(lambda: waiting.isdisjoint(self._pending), timeout)
            finally:
                self._readers -= 1

    def backlog(self) -> dict[str, int]:
        failed = t.record_intake.c.failed
        query = sa.select(
            sa.func.count().filter(failed.is_(None)), sa.func.count().filter(failed.isnot(None))
        )
        with self._engine.connect() as connection:
            staged, broken = connection.execute(query).one()
        return {"staged": int(staged), "failed": int(broken), "waited_for": self.pending()}

    def waiting_rows(self, connection: Connection) -> bool:
        """True while some staged batch (of any server) is not applied yet."""
        c = t.record_intake.c
        found = connection.execute(sa.select(c.seq).where(c.failed.is_(None)).limit(1))
        return found.first() is not None

    # --- the applier --------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="record-intake", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            try:
                more = self.apply_some()
            except Exception as exc:  # the database went away: the rows wait; try again
                if not self._trouble:
                    logger.warning(
                        "could not apply staged client batches, retrying: %s", self._describe(exc)
                    )
                self._trouble = True
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            if self._trouble:
                logger.warning("applying staged client batches again")
                self._trouble, backoff = False, 0.5
            if not more:
                self._wake.wait(POLL)
                self._wake.clear()
                self._let_burst_finish()

    def _let_burst_finish(self) -> None:
        """Wait while clients are still sending (see QUIET and MAX_DELAY)."""
        while not self._stop.is_set():
            with self._changed:
                if not self._staged_at or self._readers:
                    return
                now = time.monotonic()
                oldest = min(self._staged_at.values())
                if now - self._last_staged >= QUIET or now - oldest >= MAX_DELAY:
                    return
            self._wake.wait(QUIET)
            self._wake.clear()

    def apply_some(self) -> bool:
        """Apply up to `TAKE` staged batches in one transaction; True if more may wait."""
        from headwater_server.database.writes import write_batch

        c = t.record_intake.c
        done: list[int] = []
        with self._engine.begin() as connection:
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPLY_LOCK})
            rows = connection.execute(
                sa.select(c.seq, c.batch_id, c.process_id, c.body)
                .where(c.failed.is_(None))
                .order_by(c.seq)
                .limit(TAKE)
            ).all()
            gone = self._applied_elsewhere(connection) if len(rows) < TAKE else []
            for seq, batch_id, process_id, body in rows:
                try:
                    with connection.begin_nested():
                        write_batch(connection, batch_id, *self._decode(bytes(body)), process_id)
                except sa.exc.OperationalError:
                    raise  # the connection, not the batch: the whole transaction retries
                except Exception as exc:
                    self._failed(connection, seq, batch_id, exc)
                done.append(seq)
            if done:
                applied = sa.delete(t.record_intake).where(c.seq.in_(done), c.failed.is_(None))
                connection.execute(applied)
        self._applied(done + gone)
        return len(rows) == TAKE

    def _applied_elsewhere(self, connection: Connection) -> list[int]:
        """Batches this server acknowledged that another server on the database applied
        (or kept as failed): no longer waited for."""
        with self._changed:
            mine = list(self._committed)
        if not mine:
            return []
        c = t.record_intake.c
        waiting = connection.execute(
            sa.select(c.seq).where(c.seq.in_(mine), c.failed.is_(None))
        ).scalars()
        return sorted(set(mine) - set(waiting))

    def _failed(self, connection: Connection, seq: int, batch_id: str, exc: BaseException) -> None:
        reason = f"{type(exc).__name__}: {self._describe(exc)}"[:2000]
        logger.error("client batch %s could not be applied and is kept in record_intake "
                     "(seq %d): %s", batch_id, seq, reason)  # fmt: skip
        connection.execute(
            sa.update(t.record_intake).where(t.record_intake.c.seq == seq).values(failed=reason)
        )

    def _applied(self, seqs: list[int]) -> None:
        callbacks: set[Callable[[], None]] = set()
        with self._changed:
            for seq in seqs:
                self._staged_at.pop(seq, None)
                self._committed.discard(seq)
                callback = self._pending.pop(seq, None)
                if callback is not None:
                    callbacks.add(callback)
            self._changed.notify_all()
        for callback in callbacks:
            try:
                callback()
            except Exception:  # a listener never stops the applier
                logger.exception("a listener of applied batches failed")
