"""The errors a caller of `concurrency()` / `rate_limit()` or the limits API can meet."""

from __future__ import annotations

__all__ = [
    "AcquireConcurrencySlotTimeoutError",
    "ConcurrencyLimitNotFound",
    "ConcurrencySlotAcquisitionError",
]


class ConcurrencySlotAcquisitionError(Exception):
    """Slots cannot be acquired: a missing limit with `strict=True`, more slots asked
    than the limit has, or `rate_limit` on a limit without slot decay (Prefect's name)."""


class AcquireConcurrencySlotTimeoutError(TimeoutError):
    """The slots were not acquired within `timeout_seconds` (a `TimeoutError`, as Prefect)."""


class ConcurrencyLimitNotFound(LookupError):
    """No limit has that name (managing limits: read, update, delete)."""
