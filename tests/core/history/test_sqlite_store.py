"""The embedded store: round trips, coalescing, filters, batching and scale."""

from __future__ import annotations

import resource
import sqlite3
import threading
import time

import pytest
from headwater.history import get_store, reset_store
from headwater.history.sqlite import SQLiteRunStore
from store_helpers import event, flow_run, log, record_task, state, task_run


def test_opens_wal_database_in_home(store, headwater_home):
    assert isinstance(store, SQLiteRunStore)
    db = headwater_home / "headwater.db"
    assert db.is_file()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_creates_missing_home(tmp_path):
    home = tmp_path / "a" / "b"
    s = SQLiteRunStore(home)
    try:
        assert (home / "headwater.db").is_file()
    finally:
        s.close()


def test_flow_run_round_trip(store):
    fr = flow_run(parameters={"x": 1, "obj": object()}, tags=("a", "b"), flow_version="v1")
    store.record_flow_run(fr)
    store.record_state(state(fr.id, "flow", "PENDING"))
    store.record_state(state(fr.id, "flow", "RUNNING"))
    store.record_state(state(fr.id, "flow", "COMPLETED", message="All states completed."))
    store.flush()
    got = store.read_flow_run(fr.id)
    assert got["name"] == "calm-otter" and got["flow_name"] == "etl"
    assert got["flow_version"] == "v1"
    assert got["parameters"]["x"] == 1 and "object" in got["parameters"]["obj"]
    assert got["tags"] == ["a", "b"]
    assert got["state_type"] == "COMPLETED" and got["state_name"] == "Completed"
    assert got["state_message"] == "All states completed."
    assert got["start_time"] is not None and got["end_time"] >= got["start_time"]
    assert got["run_count"] == 1
    assert got["duration"] == pytest.approx(got["end_time"] - got["start_time"])
    assert [s["type"] for s in store.read_states(fr.id)] == ["PENDING", "RUNNING", "COMPLETED"]
    assert store.read_flow_run(fr.id[:8])["id"] == fr.id


def test_task_run_round_trip_and_states_in_later_batches(store):
    fr = flow_run()
    store.record_flow_run(fr)
    tr = task_run(fr.id, 3, task_inputs={"x": ["up-1"]}, tags=("t",), cache_key="k1")
    store.record_task_run(tr)
    store.record_state(state(tr.id, "task", "PENDING"))
    store.flush()  # the row exists now; later states update it
    assert store.read_task_run(tr.id)["state_type"] == "PENDING"
    store.record_state(state(tr.id, "task", "RUNNING"))
    store.flush()
    store.record_state(state(tr.id, "task", "SCHEDULED", "AwaitingRetry"))
    store.record_state(state(tr.id, "task", "RUNNING", "Retrying"))
    store.record_state(state(tr.id, "task", "COMPLETED", "Cached"))
    store.flush()
    got = store.read_task_run(tr.id[:10])
    assert got["task_inputs"] == {"x": ["up-1"]}
    assert got["tags"] == ["t"] and got["cache_key"] == "k1" and got["dynamic_key"] == "3"
    assert got["state_name"] == "Cached" and got["state_type"] == "COMPLETED"
    assert got["run_count"] == 2
    assert len(store.read_states(tr.id)) == 5
    assert store.read_task_runs(flow_run_id=fr.id)[0]["id"] == tr.id
    assert store.count_task_runs(fr.id) == 1


def test_rerecorded_run_keeps_its_state(store):
    fr = flow_run()
    store.record_flow_run(fr)
    store.record_state(state(fr.id, "flow", "RUNNING"))
    store.flush()
    fr.run_count = 1
    store.record_flow_run(fr)  # e.g. re-recorded with new fields, no new state
    store.flush()
    got = store.read_flow_run(fr.id)
    assert got["state_type"] == "RUNNING" and got["run_count"] == 1


def test_logs_and_events_round_trip(store):
    fr = flow_run()
    store.record_flow_run(fr)
    tr = record_task(store, fr.id, 0)
    store.record_log(log(fr.id, "flow", "Beginning flow run", fr.name))
    store.record_log(log(tr.id, "task", "Finished in state Completed()", tr.name))
    store.record_log(log(None, "flow", "outside any run"))
    store.record_event(event("headwater.task-run.Completed", tr.id))
    store.flush()
    logs = store.read_logs(fr.id)
    assert [entry["message"] for entry in logs] == [
        "Beginning flow run",
        "Finished in state Completed()",
    ]
    assert logs[1]["run_name"] == tr.name and logs[1]["level"] == 20
    assert len(store.read_logs(fr.id, include_task_runs=False)) == 1
    # besides the task run's own state-change events (headwater.task-run.<id>)
    (ev,) = [e for e in store.read_events() if e["resource"]["headwater.resource.id"] == tr.id]
    assert ev["event"] == "headwater.task-run.Completed"
    assert ev["payload"] == {"n": 1} and ev["related"] == [{"headwater.resource.role": "flow"}]


def test_state_filter_matches_type_or_name_any_case(store):
    runs = {}
    for type_, name in [("COMPLETED", "Completed"), ("FAILED", "TimedOut"), ("CRASHED", "Crashed")]:
        fr = flow_run(name=name.lower())
        store.record_flow_run(fr)
        store.record_state(state(fr.id, "flow", type_, name))
        runs[name] = fr.id
    store.flush()
    assert [r["id"] for r in store.read_flow_runs(state="completed")] == [runs["Completed"]]
    assert [r["id"] for r in store.read_flow_runs(state="Failed")] == [runs["TimedOut"]]
    assert [r["id"] for r in store.read_flow_runs(state="timedout")] == [runs["TimedOut"]]
    assert [r["id"] for r in store.read_flow_runs(state="CRASHED")] == [runs["Crashed"]]
    assert len(store.read_flow_runs(flow_name="etl")) == 3
    assert store.read_flow_runs(flow_name="nope") == []
    assert len(store.read_flow_runs(limit=2)) == 2


def test_ambiguous_or_unknown_prefix_is_none(store):
    a, b = flow_run(), flow_run()
    a.id, b.id = "abc-1", "abc-2"
    store.record_flow_run(a)
    store.record_flow_run(b)
    store.flush()
    assert store.read_flow_run("abc") is None
    assert store.read_flow_run("zzz") is None
    assert store.read_flow_run("abc-2")["id"] == "abc-2"


def test_batching_10k_records_one_flush(store):
    fr = flow_run()
    store.record_flow_run(fr)
    for i in range(2500):
        record_task(store, fr.id, i)  # 4 records each
    store.flush()
    assert store.count_task_runs(fr.id) == 2500
    assert all(r["state_type"] == "COMPLETED" for r in store.read_task_runs(fr.id))


def test_record_is_cheap_on_calling_thread(store):
    records = [state("x", "task", "RUNNING") for _ in range(20_000)]
    t0 = time.perf_counter()
    for r in records:
        store.record_state(r)
    per_call = (time.perf_counter() - t0) / len(records)
    store.flush()
    assert per_call < 5e-6, per_call  # measured ~0.15 us; generous for loaded CI


def test_flush_from_many_threads(store):
    fr = flow_run()
    store.record_flow_run(fr)
    errors = []

    def work(n):
        try:
            for i in range(500):
                record_task(store, fr.id, n * 1000 + i)
            store.flush(30)
        except Exception as exc:  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert store.count_task_runs(fr.id) == 3000


def test_reset_store_flushes_and_reopen_reads(headwater_home):
    s = get_store()
    fr = flow_run()
    s.record_flow_run(fr)
    reset_store()  # close() must flush
    assert get_store().read_flow_run(fr.id)["id"] == fr.id


def test_open_is_cheap(tmp_path):
    SQLiteRunStore(tmp_path).close()  # schema created once
    t0 = time.perf_counter()
    s = SQLiteRunStore(tmp_path)
    elapsed = time.perf_counter() - t0
    s.close()
    assert elapsed < 0.1, elapsed  # a few ms normally


@pytest.mark.slow
def test_100k_task_runs_all_recorded_with_flat_memory(store):
    fr = flow_run()
    store.record_flow_run(fr)
    store.record_state(state(fr.id, "flow", "RUNNING"))
    rss = []
    for i in range(100_000):
        record_task(store, fr.id, i)
        if i % 25_000 == 24_999:
            rss.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        assert len(store._queue) <= 60_000 or i % 1000  # backpressure bounds the queue
    store.record_state(state(fr.id, "flow", "COMPLETED"))
    store.flush()
    assert store.count_task_runs(fr.id) == 100_000
    assert store.read_flow_run(fr.id)["state_type"] == "COMPLETED"
    assert store.read_task_runs(fr.id, state="completed", limit=None).__len__() == 100_000
    # peak RSS (KiB) grows by well under 100 MB from the first quarter to the end
    assert rss[-1] - rss[0] < 100 * 1024, rss
