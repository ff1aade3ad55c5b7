"""Event seqs come from a PostgreSQL sequence, taken at insert, not at commit: without the
writer's advisory lock a batch committing first with higher seqs would let a reader that
moves a cursor (`read_events(after=...)`: automations, events paging) skip the lower ones
of a batch still open. Two connections write event batches at once; a reader polling with
`after=` sees every event."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from headwater.history import Event
from headwater_server.database.event_order import EVENT_ORDER_LOCK
from headwater_server.database.open import open_database
from headwater_server.database.run_store import SQLAlchemyRunStore
from headwater_server.database.writes import write_records


def _events(name: str, count: int) -> list[Event]:
    return [
        Event(str(uuid.uuid4()), name, 1_700_000_000.0 + i, {"headwater.resource.id": f"r.{i}"})
        for i in range(count)
    ]


def _waiting_on_the_lock(store: SQLAlchemyRunStore) -> bool:
    query = sa.text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
        "AND classid::bigint = :high AND objid::bigint = :low"
    )
    key = EVENT_ORDER_LOCK & 0xFFFFFFFFFFFFFFFF  # pg_locks shows the key's two halves
    halves = {"high": key >> 32, "low": key & 0xFFFFFFFF}
    with store.engine.connect() as connection:
        return bool(connection.execute(query, halves).scalar())


def test_a_cursor_reader_sees_every_event_of_batches_committing_out_of_order(
    pg_url: str,
) -> None:
    store = open_database(pg_url)
    seen: list[str] = []
    cursor = 0

    def poll() -> None:
        nonlocal cursor
        for row in store.read_events(None, after=cursor, oldest_first=True):
            seen.append(row["id"])
            cursor = row["seq"]

    try:
        slow, fast = _events("slow.batch", 5), _events("fast.batch", 5)
        second_done = threading.Event()
        errors: list[BaseException] = []

        def write_fast() -> None:
            try:
                with store.engine.begin() as connection:
                    write_records(connection, (), (), (), (), fast)
            except BaseException as exc:  # reported by the test
                errors.append(exc)
            finally:
                second_done.set()

        with store.engine.begin() as first:
            write_records(first, (), (), (), (), slow)  # its seqs taken, not committed
            writer = threading.Thread(target=write_fast)
            writer.start()
            # the second batch either commits (no lock: its seqs are higher) or waits
            # for the first to commit: go on once one of the two has happened
            deadline = time.monotonic() + 60
            while not second_done.is_set() and not _waiting_on_the_lock(store):
                assert time.monotonic() < deadline, "the second batch neither wrote nor waited"
                time.sleep(0.05)
            poll()  # a reader polling while the first batch is still open
        writer.join(60)
        assert not errors, errors
        poll()
        poll()
        assert sorted(seen) == sorted(e.id for e in slow + fast)
        assert len(seen) == len(set(seen))
    finally:
        store.close()


def test_event_writes_do_not_wait_for_each_other_on_sqlite(tmp_path: Path) -> None:
    """The lock is PostgreSQL's: on a SQLite URL the writer takes none (one writer anyway)."""
    store = open_database(f"sqlite:///{tmp_path}/history.db")
    try:
        with store.engine.begin() as connection:
            write_records(connection, (), (), (), (), _events("one", 2))
        assert len(store.read_events(None, after=0, oldest_first=True)) == 2
    finally:
        store.close()
