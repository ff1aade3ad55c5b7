"""Submitted runs stay cheap to hold: a flow may keep 100,000 futures."""

from __future__ import annotations

import gc
import tracemalloc

from headwater import flow, task

#: log records kept by pytest's log capture are the test harness's, not the runs'
NOT_LOG_CAPTURE = (
    tracemalloc.Filter(False, "*/logging/*"),
    tracemalloc.Filter(False, "*/_pytest/*"),
)


@task
def inc(x: int) -> int:
    return x + 1


def test_a_finished_submitted_run_held_by_its_future_costs_little_memory() -> None:
    n = 3000

    @flow
    def fan() -> int:
        inc.submit(0).result()  # one-time setup (logging, store, pool threads) not counted
        gc.collect()
        before = tracemalloc.take_snapshot().filter_traces(NOT_LOG_CAPTURE)
        futures = [inc.submit(i) for i in range(n)]
        total = sum(f.result() for f in futures)
        gc.collect()
        after = tracemalloc.take_snapshot().filter_traces(NOT_LOG_CAPTURE)
        held = sum(stat.size_diff for stat in after.compare_to(before, "filename")) / n
        assert held < 1500, f"{held:.0f} bytes held per finished run"
        assert futures[0].state.is_completed() and futures[-1].result() == n
        return total

    tracemalloc.start()
    try:
        assert fan() == n * (n + 1) // 2
    finally:
        tracemalloc.stop()


def test_runs_without_upstreams_share_one_empty_inputs_mapping() -> None:
    """No empty dict per run: with 100,000 runs that alone is 6 MB."""
    from headwater.engine.task_runs import NO_INPUTS

    @flow
    def fan() -> list[object]:
        futures = [inc.submit(i) for i in range(3)]
        upstream = inc.submit(futures[0])
        return [f.task_run.task_inputs for f in [*futures, upstream]]

    *plain, upstream = fan()
    assert all(inputs is NO_INPUTS for inputs in plain)
    assert NO_INPUTS == {}
    assert list(upstream) == ["x"]
