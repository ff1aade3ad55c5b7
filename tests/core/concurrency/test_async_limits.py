"""`headwater.concurrency.asyncio`: the same limits, waiting in the event loop."""

from __future__ import annotations

import asyncio

import pytest
from headwater.concurrency import (
    ConcurrencySlotAcquisitionError,
    create_global_concurrency_limit,
    read_global_concurrency_limit,
)
from headwater.concurrency.asyncio import concurrency, rate_limit


def test_async_blocks_never_exceed_the_limit():
    create_global_concurrency_limit("db", limit=2)
    inside = 0
    peak = 0

    async def work() -> None:
        nonlocal inside, peak
        async with concurrency("db", timeout_seconds=30):
            inside += 1
            peak = max(peak, inside)
            await asyncio.sleep(0.05)
            inside -= 1

    async def main() -> None:
        await asyncio.gather(*(work() for _ in range(6)))

    asyncio.run(main())
    assert peak == 2
    assert read_global_concurrency_limit("db").active_slots == 0


def test_cancelling_a_holder_releases_and_a_waiter_leaves_the_line():
    create_global_concurrency_limit("db", limit=1)

    async def hold(started: asyncio.Event) -> None:
        async with concurrency("db"):
            started.set()
            await asyncio.sleep(60)

    async def main() -> None:
        started = asyncio.Event()
        holder = asyncio.create_task(hold(started))
        await started.wait()
        waiter = asyncio.create_task(hold(asyncio.Event()))
        await asyncio.sleep(0.2)
        waiter.cancel()
        holder.cancel()
        await asyncio.gather(holder, waiter, return_exceptions=True)
        async with concurrency("db", timeout_seconds=1):
            pass

    asyncio.run(main())
    assert read_global_concurrency_limit("db").active_slots == 0


def test_async_timeout_and_rate_limit():
    create_global_concurrency_limit("api", limit=1, slot_decay_per_second=20)

    async def main() -> None:
        await rate_limit("api")
        with pytest.raises(TimeoutError):
            await rate_limit("api", timeout_seconds=0)
        await rate_limit("api", timeout_seconds=5)
        with pytest.raises(ConcurrencySlotAcquisitionError):
            await rate_limit("missing", strict=True)

    asyncio.run(main())
