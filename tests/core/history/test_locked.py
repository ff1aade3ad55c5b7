"""A database another process keeps locked: records are held, not dropped, and flows wait."""

from __future__ import annotations

import sqlite3
import threading
import time

import headwater.history.connection as connection
import headwater.history.writer as writer
from headwater.history.sqlite import HIGH_WATER, SQLiteRunStore
from store_helpers import flow_run, record_task

#: four records a task: more than the writer holds plus the queue's bound
TASKS = (writer.MAX_BATCH + HIGH_WATER) // 4 + 2000


def test_long_lock_holds_records_and_throttles(headwater_home, monkeypatch, caplog):
    real_connect = connection.connect

    def quick(path):  # give up on a lock fast, so the test need not wait 30 s
        conn = real_connect(path)
        conn.execute("PRAGMA busy_timeout = 20")
        return conn

    monkeypatch.setattr(writer, "connect", quick)
    monkeypatch.setattr(writer, "LOCK_PATIENCE", 0.1)
    store = SQLiteRunStore(headwater_home)
    holder = sqlite3.connect(headwater_home / "headwater.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    fr = flow_run()
    done = threading.Event()

    def produce():
        store.record_flow_run(fr)
        for i in range(TASKS):
            record_task(store, fr.id, i)
        done.set()

    producer = threading.Thread(target=produce)
    producer.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not done.is_set():
            if store.throttled_threads > 0 and store._writer.stalled:
                break
            time.sleep(0.01)
        # the producer waits rather than anything being dropped
        assert store.throttled_threads > 0 and not done.is_set()
        assert store._writer.stalled and "another process holds the database lock" in caplog.text
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    producer.join(60)
    assert done.is_set()
    store.flush(60)
    assert store.count_task_runs(fr.id) == TASKS
    store.close()


def test_a_lock_is_described_as_a_lock_on_every_python() -> None:
    """Python 3.10's sqlite3 errors carry no result code: the message text decides."""
    from headwater.history.faults import describe

    plain = sqlite3.OperationalError("database is locked")  # as 3.10 raises it
    assert "another process holds the database lock" in describe(plain)
    assert "writable" in describe(sqlite3.OperationalError("attempt to write a readonly database"))
    assert "free space" in describe(sqlite3.OperationalError("database or disk is full"))
