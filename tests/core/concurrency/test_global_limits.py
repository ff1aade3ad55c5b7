"""`concurrency()` and `rate_limit()` (sync) against limits on the home's store."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from headwater.concurrency import (
    AcquireConcurrencySlotTimeoutError,
    ConcurrencySlotAcquisitionError,
    create_global_concurrency_limit,
    read_global_concurrency_limit,
    update_global_concurrency_limit,
)
from headwater.concurrency.sync import concurrency, rate_limit


def test_slots_are_held_inside_the_block_and_released_after():
    create_global_concurrency_limit("db", limit=2)
    with concurrency("db", occupy=2, holder={"type": "task_run", "id": "abc"}):
        held = read_global_concurrency_limit("db")
        assert held.active_slots == 2
        assert [h["holder"] for h in held.holders] == [{"type": "task_run", "id": "abc"}]
    assert read_global_concurrency_limit("db").active_slots == 0


def test_a_full_limit_times_out_with_prefects_timeout_error():
    create_global_concurrency_limit("db", limit=1)
    with concurrency("db"):
        with pytest.raises(TimeoutError) as caught:
            with concurrency("db", timeout_seconds=0.2):
                pytest.fail("entered a full limit")
    assert isinstance(caught.value, AcquireConcurrencySlotTimeoutError)
    assert str(caught.value) == (
        "Attempt to acquire concurrency slots timed out after 0.2 second(s)"
    )
    # the timed-out waiter left the line: the next caller is not held behind it
    with concurrency("db", timeout_seconds=1):
        pass


def test_max_retries_gives_up_with_an_acquisition_error():
    create_global_concurrency_limit("db", limit=1)
    with concurrency("db"):
        with pytest.raises(ConcurrencySlotAcquisitionError, match="max_retries"):
            with concurrency("db", max_retries=2):
                pass


def test_slots_are_released_when_the_block_raises():
    create_global_concurrency_limit("db", limit=1)
    with pytest.raises(RuntimeError):
        with concurrency("db"):
            raise RuntimeError("boom")
    with pytest.raises(KeyboardInterrupt):
        with concurrency("db"):
            raise KeyboardInterrupt
    assert read_global_concurrency_limit("db").active_slots == 0


def test_a_waiter_gets_the_slot_when_the_holder_releases():
    create_global_concurrency_limit("db", limit=1)
    order: list[str] = []
    held = threading.Event()

    def holder() -> None:
        with concurrency("db"):
            held.set()
            time.sleep(0.3)
            order.append("first done")

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(5)
    with concurrency("db", timeout_seconds=10):
        order.append("second in")
    thread.join()
    assert order == ["first done", "second in"]


def test_several_names_take_slots_on_each_all_or_none():
    create_global_concurrency_limit("a", limit=1)
    create_global_concurrency_limit("b", limit=1)
    with concurrency("b"):
        with pytest.raises(TimeoutError):
            with concurrency(["a", "b"], timeout_seconds=0.2):
                pass
        assert read_global_concurrency_limit("a").active_slots == 0  # none taken on a
    with concurrency(["a", "b"]):
        assert read_global_concurrency_limit("a").active_slots == 1
        assert read_global_concurrency_limit("b").active_slots == 1


def test_missing_limit_strict_raises_naming_it_and_the_fix():
    with pytest.raises(ConcurrencySlotAcquisitionError) as caught:
        with concurrency("nowhere", strict=True):
            pass
    assert "['nowhere']" in str(caught.value)
    assert "headwater gcl create" in str(caught.value)
    with pytest.raises(ConcurrencySlotAcquisitionError, match="nowhere"):
        rate_limit("nowhere", strict=True)


def test_missing_limit_not_strict_proceeds_with_a_warning(caplog):
    ran = []
    with caplog.at_level(logging.WARNING, logger="headwater.concurrency"):
        with concurrency("nowhere"):
            ran.append(1)
    assert ran == [1]
    assert "Concurrency limits ['nowhere'] do not exist - skipping acquisition." in caplog.text


def test_an_inactive_limit_never_blocks():
    create_global_concurrency_limit("db", limit=1, active=False)
    with concurrency("db"), concurrency("db", timeout_seconds=0.5):
        assert read_global_concurrency_limit("db").active_slots == 0
    update_global_concurrency_limit("db", active=True)
    with concurrency("db"), pytest.raises(TimeoutError):
        with concurrency("db", timeout_seconds=0.2):
            pass


def test_asking_more_slots_than_the_limit_has_fails_at_once():
    create_global_concurrency_limit("db", limit=2)
    with pytest.raises(ConcurrencySlotAcquisitionError, match="greater than the limit"):
        with concurrency("db", occupy=3):
            pass


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_occupy_must_be_a_positive_whole_number(bad):
    create_global_concurrency_limit("db", limit=2)
    with pytest.raises(ValueError, match="occupy"):
        with concurrency("db", occupy=bad):
            pass


def test_rate_limit_slots_decay_over_time():
    create_global_concurrency_limit("api", limit=2, slot_decay_per_second=10)
    rate_limit("api")
    rate_limit("api")
    assert read_global_concurrency_limit("api").active_slots > 1
    with pytest.raises(TimeoutError):  # both taken: the next waits for decay
        rate_limit("api", timeout_seconds=0)
    rate_limit("api", timeout_seconds=5)  # 0.1 s later a slot has decayed
    time.sleep(0.3)
    assert read_global_concurrency_limit("api").active_slots == 0


def test_rate_limit_needs_a_limit_with_slot_decay():
    create_global_concurrency_limit("flat", limit=5)
    with pytest.raises(ConcurrencySlotAcquisitionError, match="slot decay") as caught:
        rate_limit("flat")
    assert "--slot-decay-per-second" in str(caught.value)


def test_empty_names_do_nothing():
    with concurrency([]):
        pass
    rate_limit([])


def test_a_held_lease_is_renewed_past_its_duration():
    create_global_concurrency_limit("db", limit=1)
    entered = threading.Event()
    leave = threading.Event()

    def holder() -> None:
        with concurrency("db", lease_duration=0.6):
            entered.set()
            leave.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    entered.wait(5)
    try:
        # three lease lengths later the slot is still held: the lease was renewed
        with pytest.raises(TimeoutError), concurrency("db", timeout_seconds=1.8):
            pass
    finally:
        leave.set()
        thread.join()
