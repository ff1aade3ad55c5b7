"""Submitted runs stay cheap to hold: a flow may keep 100,000 futures."""

from __future__ import annotations

import gc
import tracemalloc

from headwater import flow, task


@task
def inc(x: int) -> int:
    return x + 1


def test_a_finished_submitted_run_held_by_its_future_costs_little_memory() -> None:
    n = 3000

    @flow
    def fan() -> int:
        inc.submit(0).result()  # one-time setup (logging, store, pool threads) not counted
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        futures = [inc.submit(i) for i in range(n)]
        total = sum(f.result() for f in futures)
        gc.collect()
        held = (tracemalloc.get_traced_memory()[0] - before) / n
        assert held < 1500, f"{held:.0f} bytes held per finished run"
        assert futures[0].state.is_completed() and futures[-1].result() == n
        return total

    tracemalloc.start()
    try:
        assert fan() == n * (n + 1) // 2
    finally:
        tracemalloc.stop()
