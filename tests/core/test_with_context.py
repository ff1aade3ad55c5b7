"""headwater.context.with_context: get_run_logger works in a process-pool worker."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

import pytest
from headwater import flow, get_run_logger, task
from headwater.context import with_context
from headwater.exceptions import MissingContextError
from headwater.history import get_store


def work(item: int) -> int:
    get_run_logger().info(f"worker {os.getpid()} processed {item}")
    return item * 10


@pytest.mark.skipif(not hasattr(os, "fork"), reason="uses the fork start method")
def test_worker_logs_are_recorded_with_the_task_run() -> None:
    @task
    def fan_out() -> list[int]:
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(2, mp_context=ctx) as pool:
            return list(pool.map(with_context(work), [1, 2, 3]))

    @flow
    def pipeline() -> list[int]:
        return fan_out()

    state = pipeline(return_state=True)
    assert state.result() == [10, 20, 30]
    store = get_store()
    store.flush()
    logs = [e["message"] for e in store.read_logs(state.state_details["flow_run_id"])]
    processed = [m for m in logs if " processed " in m]
    assert sorted(m.rsplit(" ", 1)[1] for m in processed) == ["1", "2", "3"]
    assert all(f"worker {os.getpid()} " not in m for m in processed)  # really other processes


def test_without_a_run_the_wrapped_function_still_needs_one() -> None:
    with pytest.raises(MissingContextError):
        with_context(work)(1)
