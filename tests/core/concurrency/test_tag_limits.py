"""Tag-based task run concurrency: tagged runs wait (Pending, with a message) for a slot."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from headwater import flow, tags, task
from headwater.concurrency import (
    create_concurrency_limit,
    delete_concurrency_limit,
    read_concurrency_limit,
)
from headwater.concurrency.sync import concurrency
from headwater.history import get_store


def test_tagged_runs_never_exceed_the_tag_limit():
    create_concurrency_limit("db", 2)
    lock = threading.Lock()
    inside = peak = 0

    @task(tags=["db"])
    def query(i: int) -> int:
        nonlocal inside, peak
        with lock:
            inside += 1
            peak = max(peak, inside)
        time.sleep(0.05)
        with lock:
            inside -= 1
        return i

    @flow
    def etl() -> list[int]:
        return [f.result() for f in query.map(range(8))]

    assert etl() == list(range(8))
    assert peak == 2
    assert read_concurrency_limit("db").active_slots == 0


def test_a_waiting_run_is_pending_with_a_message_then_runs():
    create_concurrency_limit("db", 1)

    @task
    def load() -> str:
        return "loaded"

    entered = threading.Event()

    def hold_the_slot() -> None:
        with concurrency("tag:db"):
            entered.set()
            time.sleep(0.4)

    holder = threading.Thread(target=hold_the_slot)
    holder.start()
    entered.wait(5)
    with tags("db"):
        state = load(return_state=True)
    holder.join()
    assert state.is_completed()
    store = get_store()
    store.flush()
    names = [
        (s["type"], s["message"]) for s in store.read_states(state.state_details["task_run_id"])
    ]
    assert ("PENDING", "Waiting for a concurrency slot on tag(s) 'db'") in names
    assert names[-1][0] == "COMPLETED"


def test_a_tag_limit_of_zero_fails_the_run_with_prefects_message():
    create_concurrency_limit("frozen", 0)
    ran = []

    @task(tags=["frozen", "other"])
    def never() -> None:
        ran.append(1)

    state = never(return_state=True)
    assert state.is_failed()
    assert ran == []
    assert state.message.startswith(
        'The concurrency limit on tag "frozen" is 0 and will deadlock if the task tries to run again.'
    )
    assert "headwater concurrency-limit" in state.message


def test_the_slot_is_released_when_the_run_fails_or_is_interrupted():
    create_concurrency_limit("db", 1)

    @task(tags=["db"], retries=1)
    def broken() -> None:
        raise ValueError("bad row")

    @task(tags=["db"])
    def interrupted() -> None:
        raise KeyboardInterrupt

    assert broken(return_state=True).is_failed()
    assert read_concurrency_limit("db").active_slots == 0
    with pytest.raises(KeyboardInterrupt):
        interrupted()
    assert read_concurrency_limit("db").active_slots == 0


def test_a_task_timeout_gives_the_slot_back():
    create_concurrency_limit("db", 1)

    @task(tags=["db"], timeout_seconds=0.2)
    def slow() -> None:
        time.sleep(2)

    # a task timeout stops the body, and the slot goes back
    assert slow(return_state=True).is_failed()
    assert read_concurrency_limit("db").active_slots == 0


def test_async_tagged_runs_wait_in_the_event_loop():
    create_concurrency_limit("api", 1)
    inside = peak = 0

    @task(tags=["api"])
    async def call(i: int) -> int:
        nonlocal inside, peak
        inside += 1
        peak = max(peak, inside)
        await asyncio.sleep(0.03)
        inside -= 1
        return i

    @flow
    async def calls() -> list[int]:
        return list(await asyncio.gather(*(call(i) for i in range(4))))

    assert asyncio.run(calls()) == [0, 1, 2, 3]
    assert peak == 1


def test_deleting_the_limit_lets_tagged_runs_through():
    create_concurrency_limit("db", 0)
    delete_concurrency_limit("db")

    @task(tags=["db"])
    def fine() -> int:
        return 1

    assert fine() == 1


def test_prefects_v1_api_holds_tag_slots_for_a_task_run():
    import uuid

    from headwater.concurrency.v1.asyncio import concurrency as aconcurrency
    from headwater.concurrency.v1.sync import concurrency as v1_concurrency

    create_concurrency_limit("db", 1)
    run_id = uuid.uuid4()
    with v1_concurrency(["db", "unlimited"], task_run_id=run_id):
        [holding] = read_concurrency_limit("db").holders
        assert holding["holder"] == {"type": "task_run", "id": str(run_id)}
        with pytest.raises(TimeoutError), v1_concurrency("db", run_id, timeout_seconds=0.1):
            pass

    async def main() -> None:
        async with aconcurrency("db", task_run_id=run_id):
            assert read_concurrency_limit("db").active_slots == 1

    asyncio.run(main())
    assert read_concurrency_limit("db").active_slots == 0
