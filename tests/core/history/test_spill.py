"""Records SQLite rejects for good are saved to a spill file and imported later."""

from __future__ import annotations

import sqlite3

from headwater.history.spill import find_spills, write_spill
from headwater.history.sqlite import SQLiteRunStore
from store_helpers import event, flow_run, log, record_task, state


def test_rejected_batch_is_spilled_then_imported(headwater_home, monkeypatch, caplog):
    store = SQLiteRunStore(headwater_home)
    fr = flow_run()

    def broken(conn, work):  # an error that waiting will not fix
        raise sqlite3.IntegrityError("constraint failed")

    monkeypatch.setattr(store._writer, "_commit", broken)
    store.record_flow_run(fr)
    store.record_state(state(fr.id, "flow", "COMPLETED"))
    store.flush(10)
    [spill] = find_spills(store.path)
    assert str(spill) in caplog.text and "constraint failed" in caplog.text
    assert not store._writer.stalled  # nothing waits in memory for this
    store.close()
    again = SQLiteRunStore(headwater_home)
    try:
        assert again.read_flow_run(fr.id)["state_type"] == "COMPLETED"
        assert find_spills(again.path) == []
    finally:
        again.close()


def test_every_record_kind_round_trips(headwater_home):
    store = SQLiteRunStore(headwater_home)
    fr = flow_run(parameters={"n": 3, "obj": object()}, tags=("a",))
    records = [fr, state(fr.id, "flow", "RUNNING"), log(fr.id, "flow", "hello", fr.name),
               event("headwater.flow-run.Running", fr.id)]  # fmt: skip
    write_spill(store.path, store.process_id, records)
    store.close()
    again = SQLiteRunStore(headwater_home)
    try:
        run = again.read_flow_run(fr.id)
        assert run["state_type"] == "RUNNING" and run["tags"] == ["a"]
        assert run["parameters"]["n"] == 3 and "object" in run["parameters"]["obj"]
        assert [e["message"] for e in again.read_logs(fr.id)] == ["hello"]
        assert again.read_events()[0]["event"] == "headwater.flow-run.Running"
    finally:
        again.close()


def test_unreadable_spill_file_is_left_alone(headwater_home, caplog):
    store = SQLiteRunStore(headwater_home)
    record_task(store, None, 0)
    store.close()
    junk = headwater_home / "headwater.db.spill-1-5.jsonl.gz"
    junk.write_bytes(b"not gzip")
    again = SQLiteRunStore(headwater_home)  # opens anyway
    again.close()
    assert junk.read_bytes() == b"not gzip"
    assert str(junk) in caplog.text and "move it aside" in caplog.text
