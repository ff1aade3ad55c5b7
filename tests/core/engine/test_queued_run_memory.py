"""A flow may queue 100,000 `.submit()`s faster than threads run them: a queued run,
and a finished one held by its future, must stay small (issue 9, "Memory with
.submit()"), and the thread pool must not let queued runs pile up without bound."""

from __future__ import annotations

import gc
import threading
import time
import tracemalloc
from typing import Any

from headwater import flow, task
from headwater.history import get_store
from headwater.task_runners import ThreadPoolTaskRunner
from headwater.task_runners.elastic_pool import ElasticThreadPool

#: log records kept by pytest's log capture are the test harness's, not the runs';
#: the snapshots taken to measure are tracemalloc's
NOT_MEASURED = (
    tracemalloc.Filter(False, "*/logging/*"),
    tracemalloc.Filter(False, "*/_pytest/*"),
    tracemalloc.Filter(False, tracemalloc.__file__),
)

gate = threading.Event()


@task
def hold() -> None:
    gate.wait()


@task
def inc(x: int) -> int:
    return x + 1


def _traced() -> tracemalloc.Snapshot:
    get_store().flush()  # records waiting for the store's writer are not the runs'
    gc.collect()
    return tracemalloc.take_snapshot().filter_traces(NOT_MEASURED)


def _per_run(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot, n: int) -> float:
    return sum(stat.size_diff for stat in after.compare_to(before, "filename")) / n


def test_a_queued_run_and_a_finished_one_cost_little_memory() -> None:
    """Queued: 1.45 KB each before (a state_details dict per state, bound methods and
    argument tuples per queue item, a set entry and callback list per pending
    future), about 1.0 KB now. Finished: 0.81 KB before, about 0.57 KB now."""
    n = 1000
    measured: dict[str, float] = {}

    @flow(task_runner=ThreadPoolTaskRunner(max_workers=1))
    def fan() -> int:
        inc.submit(0).result()  # one-time setup (logging, store, the thread) not counted
        gate.clear()
        blocker = hold.submit()  # the only thread waits: every run below stays queued
        before = _traced()
        futures = [inc.submit(i) for i in range(n)]
        queued = _traced()
        assert not any(f.done() for f in futures)
        assert futures[0].state.is_pending()
        gate.set()
        blocker.wait()
        total = sum(f.result() for f in futures)
        finished = _traced()
        measured["queued"] = _per_run(before, queued, n)
        measured["finished"] = _per_run(before, finished, n)
        return total

    tracemalloc.start()
    try:
        assert fan() == n * (n + 1) // 2
    finally:
        gate.set()
        tracemalloc.stop()
    assert measured["queued"] < 1150, f"{measured['queued']:.0f} bytes per queued run"
    assert measured["finished"] < 680, f"{measured['finished']:.0f} bytes per finished run"


def test_a_final_state_makes_its_details_only_when_read() -> None:
    held: list[Any] = []

    @flow
    def one() -> None:
        held.append(inc.submit(1))

    one()
    future = held[0]
    state = future.state
    assert state._details is future.task_run  # no dict yet
    assert state.state_details == {
        "task_run_id": future.task_run_id,
        "flow_run_id": future.task_run.flow_run_id,
    }
    assert state.state_details is state.state_details
    state.state_details["extra"] = 1
    assert state.copy().state_details["extra"] == 1


def test_a_submitter_far_ahead_of_the_threads_waits_for_them() -> None:
    pool = ElasticThreadPool(1, stall_seconds=10.0, max_backlog=20)
    seen: list[int] = []
    results: list[Any] = []
    try:
        for i in range(200):
            future = pool.submit(lambda i=i: i)
            results.append(future)
            seen.append(pool._queued)
    finally:
        pool.shutdown(wait=True)
    assert max(seen) <= 20 + 1, seen
    assert [f.result() for f in results] == list(range(200))


def test_a_submitter_does_not_wait_on_threads_that_are_stuck() -> None:
    """Queued work behind a thread that waits for the submitter: submitting past the
    backlog limit must return (no deadlock), and everything runs once released."""
    release = threading.Event()
    pool = ElasticThreadPool(1, stall_seconds=0.05, max_backlog=10)
    blocker = pool.submit(release.wait)
    futures = []

    def submit_all() -> None:
        futures.extend(pool.submit(lambda i=i: i * 2) for i in range(100))

    submitter = threading.Thread(target=submit_all)
    submitter.start()
    submitter.join(timeout=60)
    stuck = submitter.is_alive()
    release.set()
    submitter.join()
    pool.shutdown(wait=True)
    assert not stuck, "submit() kept waiting on a thread that could not progress"
    assert blocker.result() is True
    assert [f.result() for f in futures] == [i * 2 for i in range(100)]


def test_a_flow_ends_after_the_submitted_runs_it_never_waited_for() -> None:
    """The flow counts its unfinished runs (no set of futures) and waits for the count
    to reach zero, runs submitted meanwhile by its tasks included."""
    finished: list[str] = []

    @task
    def slow(name: str) -> None:
        time.sleep(0.05)
        finished.append(name)

    @task
    def spawner() -> None:
        slow.submit("child")
        finished.append("spawner")

    @flow
    def fire_and_forget() -> None:
        for i in range(5):
            slow.submit(str(i))
        spawner.submit()

    fire_and_forget()
    assert sorted(finished) == ["0", "1", "2", "3", "4", "child", "spawner"]
