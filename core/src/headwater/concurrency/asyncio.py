"""`concurrency()` and `rate_limit()` for async code (Prefect's
`prefect.concurrency.asyncio`): waiting sleeps in the event loop.

    from headwater.concurrency.asyncio import concurrency, rate_limit

    async with concurrency("database", occupy=1):
        ...
    await rate_limit("external-api")
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from headwater.concurrency.acquire import SlotRequest, aacquire, as_names
from headwater.concurrency.errors import (
    AcquireConcurrencySlotTimeoutError,
    ConcurrencySlotAcquisitionError,
)
from headwater.concurrency.leases import keeper

__all__ = [
    "AcquireConcurrencySlotTimeoutError",
    "ConcurrencySlotAcquisitionError",
    "concurrency",
    "rate_limit",
]


@asynccontextmanager
async def concurrency(
    names: str | list[str],
    occupy: int = 1,
    timeout_seconds: float | None = None,
    max_retries: int | None = None,
    lease_duration: float = 300,
    strict: bool = False,
    holder: object = None,
    raise_on_lease_renewal_failure: bool | None = None,
) -> AsyncIterator[None]:
    """Hold `occupy` slots of each limit in `names` while the block runs (as the
    sync `headwater.concurrency.sync.concurrency`; cancelling the wait leaves the
    line, cancelling the block releases the slots)."""
    wanted = as_names(names)
    if not wanted:
        yield
        return
    request = SlotRequest(
        wanted, occupy, "concurrency", timeout_seconds, max_retries, lease_duration, holder
    )
    lease_id = (await aacquire(request, strict)).lease_id
    if lease_id is None:
        yield
        return
    keeper.hold(request.store, lease_id, request.lease_duration, wanted)
    try:
        yield
    finally:
        keeper.release(request.store, lease_id)


async def rate_limit(
    names: str | list[str],
    occupy: int = 1,
    timeout_seconds: float | None = None,
    strict: bool = False,
) -> None:
    """Wait until `occupy` slots of each limit in `names` are free and take them; they
    free themselves at the limit's `slot_decay_per_second` (required)."""
    wanted = as_names(names)
    if not wanted:
        return
    await aacquire(SlotRequest(wanted, occupy, "rate_limit", timeout_seconds), strict)
