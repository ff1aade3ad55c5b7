"""Concurrency and rate limits, held across every process sharing the home.

`headwater.concurrency.sync` / `.asyncio` give Prefect's `concurrency()` and
`rate_limit()`; this package's face manages the limits themselves (Prefect does
that through a server client; headwater needs none):

    from headwater.concurrency import create_global_concurrency_limit
    create_global_concurrency_limit("database", limit=2)

Slots are leases in the store that the holding process renews, so a killed
process gives its slots back when its lease runs out. Tag limits ("tag:<tag>")
make task runs with that tag wait for a slot.
"""

from __future__ import annotations

from headwater.concurrency.errors import (
    AcquireConcurrencySlotTimeoutError,
    ConcurrencyLimitNotFound,
    ConcurrencySlotAcquisitionError,
)
from headwater.concurrency.limits import (
    create_concurrency_limit,
    create_global_concurrency_limit,
    delete_concurrency_limit,
    delete_global_concurrency_limit,
    read_concurrency_limit,
    read_concurrency_limits,
    read_global_concurrency_limit,
    read_global_concurrency_limits,
    reset_concurrency_limit,
    update_global_concurrency_limit,
)
from headwater.concurrency.model import ConcurrencyLimit

__all__ = [
    "AcquireConcurrencySlotTimeoutError",
    "ConcurrencyLimit",
    "ConcurrencyLimitNotFound",
    "ConcurrencySlotAcquisitionError",
    "create_concurrency_limit",
    "create_global_concurrency_limit",
    "delete_concurrency_limit",
    "delete_global_concurrency_limit",
    "read_concurrency_limit",
    "read_concurrency_limits",
    "read_global_concurrency_limit",
    "read_global_concurrency_limits",
    "reset_concurrency_limit",
    "update_global_concurrency_limit",
]
