"""Retries (delays, backoff, jitter, conditions) and timeouts that really stop work."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from headwater import flow, task
from headwater.engine import task_call
from headwater.tasks import exponential_backoff

from .helpers import recorded_logs, recorded_task_runs


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retry delays the engine asked for on this test's thread, without waiting them out.

    `time.sleep` is patched process-wide: other threads (the store's writer, the
    automation evaluator) keep sleeping for real and are not counted.
    """
    delays: list[float] = []
    real_sleep = time.sleep
    test_thread = threading.get_ident()

    def sleep(seconds: float) -> None:
        if threading.get_ident() == test_thread:
            delays.append(seconds)
        else:
            real_sleep(seconds)

    monkeypatch.setattr(task_call.time, "sleep", sleep)
    return delays


def flaky_task(failures: int, **options: object):  # type: ignore[no-untyped-def]
    calls: list[int] = []

    def body() -> int:
        calls.append(1)
        if len(calls) <= failures:
            raise RuntimeError(f"failure {len(calls)}")
        return len(calls)

    return task(**options)(body), calls  # type: ignore[arg-type]


def test_retries_until_success_and_records_run_count(sleeps: list[float]) -> None:
    flaky, calls = flaky_task(2, retries=3, retry_delay_seconds=2)

    @flow
    def resilient() -> int:
        return flaky()

    state = resilient(return_state=True)
    assert state.result() == 3 and len(calls) == 3
    assert sleeps == [2.0, 2.0]
    run = recorded_task_runs(state)[0]
    assert run["run_count"] == 3 and run["state_name"] == "Completed"
    logs = recorded_logs(state)
    assert any("Retry 1/3 will start in 2 second(s)" in m for m in logs)
    from headwater.history import get_store

    names = [s["name"] for s in get_store().read_states(run["id"])]
    assert names == [
        "Pending",
        "Running",
        "AwaitingRetry",
        "Retrying",
        "AwaitingRetry",
        "Retrying",
        "Completed",
    ]


def test_retries_exhausted_fails(sleeps: list[float]) -> None:
    flaky, calls = flaky_task(5, retries=2)
    state = flaky(return_state=True)
    assert state.is_failed() and len(calls) == 3
    with pytest.raises(RuntimeError, match="failure 3"):
        state.result()


def test_list_of_delays_last_repeats(sleeps: list[float]) -> None:
    flaky, _ = flaky_task(4, retries=4, retry_delay_seconds=[1, 5])
    flaky()
    assert sleeps == [1.0, 5.0, 5.0, 5.0]


def test_exponential_backoff(sleeps: list[float]) -> None:
    flaky, _ = flaky_task(3, retries=3, retry_delay_seconds=exponential_backoff(backoff_factor=2))
    flaky()
    assert sleeps == [2.0, 4.0, 8.0]


def test_too_many_delays_is_an_error() -> None:
    with pytest.raises(ValueError, match="more than 50 retry delays"):
        task(retries=60, retry_delay_seconds=list(range(60)))(lambda: 1)


def test_jitter_really_spreads_delays(sleeps: list[float]) -> None:
    flaky, _ = flaky_task(40, retries=40, retry_delay_seconds=10, retry_jitter_factor=0.5)
    flaky(return_state=True)
    assert len(sleeps) == 40
    assert all(5.0 <= d <= 15.0 for d in sleeps)
    assert len({round(d, 6) for d in sleeps}) > 30  # not the same delay every time


def test_negative_jitter_rejected() -> None:
    with pytest.raises(ValueError, match="retry_jitter_factor"):
        task(retry_jitter_factor=-1)(lambda: 1)


def test_retry_condition_stops_retrying(sleeps: list[float]) -> None:
    def only_runtime_errors(tsk, task_run, state) -> bool:  # type: ignore[no-untyped-def]
        return isinstance(state.data, RuntimeError) and "fatal" not in str(state.data)

    calls: list[int] = []

    @task(retries=5, retry_condition_fn=only_runtime_errors)
    def picky() -> None:
        calls.append(1)
        raise RuntimeError("fatal" if len(calls) == 2 else "transient")

    picky(return_state=True)
    assert len(calls) == 2


def test_sync_task_timeout_abandons_blocked_body_and_flow_goes_on() -> None:
    finished = threading.Event()

    @task(timeout_seconds=0.3)
    def stuck() -> None:
        time.sleep(30)
        finished.set()

    @task
    def after() -> str:
        return "continued"

    @flow
    def pipeline() -> str:
        state = stuck(return_state=True)
        assert state.is_failed() and state.name == "TimedOut"
        assert state.message == "Task run exceeded timeout of 0.3 second(s)"
        return after()

    t0 = time.monotonic()
    assert pipeline() == "continued"
    assert time.monotonic() - t0 < 5
    assert not finished.is_set()


def test_timeout_stops_python_code_in_the_abandoned_thread() -> None:
    progress: list[int] = []

    @task(timeout_seconds=0.2)
    def busy() -> None:
        for i in range(100):
            progress.append(i)
            time.sleep(0.05)

    busy(return_state=True)
    seen = len(progress)
    time.sleep(0.4)
    assert len(progress) <= seen + 1  # the body was stopped, not left running


def test_timeout_counts_as_a_failure_for_retries() -> None:
    calls: list[int] = []

    @task(timeout_seconds=0.2, retries=1)
    def slow_then_fast() -> str:
        calls.append(1)
        if len(calls) == 1:
            time.sleep(5)
        return "second try"

    assert slow_then_fast() == "second try" and len(calls) == 2


def test_async_task_timeout_cancels() -> None:
    cancelled = []

    @task(timeout_seconds=0.1)
    async def slow() -> None:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    state = slow(return_state=True)
    assert state.name == "TimedOut" and cancelled == [True]


def test_flow_timeout_fails_with_timed_out() -> None:
    @flow(timeout_seconds=0.3)
    def slow_flow() -> None:
        time.sleep(10)

    t0 = time.monotonic()
    state = slow_flow(return_state=True)
    assert time.monotonic() - t0 < 5
    assert state.is_failed() and state.name == "TimedOut"
    assert state.message == "Flow run exceeded timeout of 0.3 second(s)"


def test_flow_timeout_does_not_wait_for_its_submitted_tasks() -> None:
    @task
    def very_slow() -> None:
        time.sleep(3)

    @flow(timeout_seconds=0.3)
    def impatient() -> None:
        very_slow.submit()
        time.sleep(10)

    t0 = time.monotonic()
    state = impatient(return_state=True)
    assert state.name == "TimedOut"
    assert time.monotonic() - t0 < 2.5


def test_timed_out_body_that_catches_exception_is_still_stopped() -> None:
    """`except Exception` in the body must not swallow the stop (it is a BaseException),
    and the stop keeps coming while the thread lives."""
    iterations: list[int] = []
    ended = threading.Event()

    @task(timeout_seconds=0.2)
    def stubborn() -> None:
        try:
            while True:
                try:
                    iterations.append(1)
                    time.sleep(0.01)
                except Exception:
                    pass
        finally:
            ended.set()

    state = stubborn(return_state=True)
    assert state.name == "TimedOut"
    with pytest.raises(TimeoutError) as info:
        state.result()
    from headwater.exceptions import TaskRunTimeoutError

    assert type(info.value) is TaskRunTimeoutError  # what users see is unchanged
    assert ended.wait(5), "the body kept running after its deadline"
    seen = len(iterations)
    time.sleep(0.2)
    assert len(iterations) == seen


def test_timed_out_body_that_catches_base_exception_once_is_stopped_by_redelivery() -> None:
    caught: list[str] = []
    ended = threading.Event()

    @task(timeout_seconds=0.2)
    def catches_one() -> None:
        try:
            try:
                while True:
                    time.sleep(0.01)
            except BaseException as exc:
                caught.append(type(exc).__name__)
            while True:  # carries on as if nothing happened
                time.sleep(0.01)
        finally:
            ended.set()

    assert catches_one(return_state=True).name == "TimedOut"
    assert ended.wait(5), "the stop was delivered only once"
    assert caught == ["DeadlineStop"]


def test_jitter_follows_prefects_clamped_poisson_interval(sleeps: list[float]) -> None:
    """Prefect's clamped_poisson_interval: at most delay * (1 + factor), at least
    delay * log2(2**k / (2**k - 1)) with k = 1 + factor, mean near the delay."""
    import math
    import random

    random.seed(1234)
    flaky, _ = flaky_task(300, retries=300, retry_delay_seconds=10, retry_jitter_factor=0.5)
    flaky(return_state=True)
    assert len(sleeps) == 300
    k = 1.5
    lower = 10 * math.log2(2**k / (2**k - 1))  # about 6.3 s
    assert all(lower - 1e-9 <= d <= 15 + 1e-9 for d in sleeps)
    assert abs(sum(sleeps) / len(sleeps) - 10) < 1.0
    # a large factor never makes a delayed retry "immediate"
    sleeps.clear()
    flaky, _ = flaky_task(300, retries=300, retry_delay_seconds=1, retry_jitter_factor=3)
    flaky(return_state=True)
    assert min(sleeps) > 0.05 and max(sleeps) <= 4 + 1e-9
