"""`concurrency()` and `rate_limit()` for synchronous code (Prefect's
`prefect.concurrency.sync`): limits shared by every process on the home.

    from headwater.concurrency.sync import concurrency, rate_limit

    with concurrency("database", occupy=1, timeout_seconds=30):
        ...  # at most `limit` of these blocks run at once, across processes

    rate_limit("external-api")  # waits until the limit's decay frees a slot
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from headwater.concurrency.acquire import SlotRequest, acquire, as_names
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


@contextmanager
def concurrency(
    names: str | list[str],
    occupy: int = 1,
    timeout_seconds: float | None = None,
    max_retries: int | None = None,
    lease_duration: float = 300,
    strict: bool = False,
    holder: object = None,
    raise_on_lease_renewal_failure: bool | None = None,
) -> Iterator[None]:
    """Hold `occupy` slots of each limit in `names` while the block runs.

    Waits for the slots (forever, or `timeout_seconds`: then `TimeoutError`; or
    `max_retries` polls: then `ConcurrencySlotAcquisitionError`). The slots are a
    lease this process renews while the block runs; if the process dies, they free
    themselves `lease_duration` seconds later. A limit that does not exist is
    skipped with a warning, or raises `ConcurrencySlotAcquisitionError` when
    `strict=True`; an inactive limit never blocks. `holder` (e.g.
    `{"type": "task_run", "id": ...}`) is recorded with the lease, shown by
    `headwater gcl inspect`. `raise_on_lease_renewal_failure` is accepted for
    Prefect's signature; a failed renewal is logged.
    """
    wanted = as_names(names)
    if not wanted:
        yield
        return
    request = SlotRequest(
        wanted, occupy, "concurrency", timeout_seconds, max_retries, lease_duration, holder
    )
    lease_id = acquire(request, strict).lease_id
    if lease_id is None:
        yield
        return
    keeper.hold(request.store, lease_id, request.lease_duration, wanted)
    try:
        yield
    finally:
        keeper.release(request.store, lease_id)


def rate_limit(
    names: str | list[str],
    occupy: int = 1,
    timeout_seconds: float | None = None,
    strict: bool = False,
) -> None:
    """Wait until `occupy` slots of each limit in `names` are free, and take them for
    good: they free themselves at the limit's `slot_decay_per_second`. Every limit
    must have a slot decay (else `ConcurrencySlotAcquisitionError`)."""
    wanted = as_names(names)
    if not wanted:
        return
    acquire(SlotRequest(wanted, occupy, "rate_limit", timeout_seconds), strict)
