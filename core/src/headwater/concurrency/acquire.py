"""Asking for slots and waiting for them: the part `concurrency()` and `rate_limit()`
share, in sync and async form.

A request tries once (one transaction); when the slots do not fit it takes its
place in line and polls, with a delay that grows to `POLL_MAX` (or, for a rate
limit, the time until enough slots decay). The line is kept in the store, so
waiters in every process are served in arrival order and none starves.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Mapping
from typing import Any

from headwater.concurrency.errors import (
    AcquireConcurrencySlotTimeoutError,
    ConcurrencySlotAcquisitionError,
)
from headwater.concurrency.grant import Attempt
from headwater.concurrency.storage import LimitStore, get_store
from headwater.locking.protocol import capped_delay

__all__ = ["SlotRequest", "aacquire", "acquire", "as_names"]

logger = logging.getLogger("headwater.concurrency")

POLL_MIN = 0.005
POLL_MAX = 0.05


def as_names(names: str | list[str]) -> list[str]:
    """`names` as a list (a single name may be given as a string)."""
    if isinstance(names, str):
        return [names]
    found = list(names)
    for name in found:
        if not isinstance(name, str):
            raise TypeError(f"concurrency limit names must be strings, got {name!r}")
    return found


def _holder_dict(holder: object) -> dict[str, Any] | None:
    if holder is None:
        return None
    dump = getattr(holder, "model_dump", None)
    value = dump(mode="json") if callable(dump) else holder
    if not isinstance(value, Mapping):
        raise TypeError(
            f"holder must be a mapping such as {{'type': ..., 'id': ...}}, got {holder!r}"
        )
    return {str(k): str(v) if not isinstance(v, (str, int, float)) else v for k, v in value.items()}


def _positive(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{what} must be a number of seconds > 0, got {value!r}")
    return float(value)


class SlotRequest:
    """One caller's request for `occupy` slots on each of `names` until granted."""

    def __init__(
        self,
        names: list[str],
        occupy: int,
        mode: str = "concurrency",
        timeout_seconds: float | None = None,
        max_retries: int | None = None,
        lease_duration: float = 300,
        holder: object = None,
        store: LimitStore | None = None,
    ) -> None:
        if isinstance(occupy, bool) or not isinstance(occupy, int) or occupy < 1:
            raise ValueError(f"occupy must be a whole number of slots >= 1, got {occupy!r}")
        if timeout_seconds is not None and (
            isinstance(timeout_seconds, bool)
            or not isinstance(timeout_seconds, (int, float))
            or timeout_seconds < 0
        ):
            raise ValueError(f"timeout_seconds must be None or >= 0, got {timeout_seconds!r}")
        self.names = names
        self.occupy = occupy
        self.mode = mode
        self.timeout_seconds = timeout_seconds
        self.retries_left = max_retries
        self.lease_duration = _positive(lease_duration, "lease_duration")
        self.holder = _holder_dict(holder)
        self.store = store if store is not None else get_store()
        self.waiter_id = os.urandom(12).hex()
        self.deadline = None if timeout_seconds is None else time.monotonic() + timeout_seconds
        self._delay = POLL_MIN
        self._queued = False

    def try_once(self) -> Attempt:
        attempt = self.store.try_acquire(
            self.names, self.occupy, self.mode, self.lease_duration, self.holder, self.waiter_id
        )
        self._queued = not attempt.acquired
        return attempt

    def wait_before_retry(self, attempt: Attempt) -> float:
        """Seconds to sleep before the next try; raises once the timeout or the
        retries are used up (leaving the line)."""
        if self.retries_left is not None:
            if self.retries_left <= 0:
                self.give_up()
                raise ConcurrencySlotAcquisitionError(
                    f"Unable to acquire concurrency slots on {self.names!r}: the limits stayed "
                    "full through max_retries retries; pass a larger max_retries, or None to wait"
                )
            self.retries_left -= 1
        if self.deadline is not None and time.monotonic() >= self.deadline:
            self.give_up()
            raise AcquireConcurrencySlotTimeoutError(
                "Attempt to acquire concurrency slots timed out after "
                f"{self.timeout_seconds} second(s)"
            )
        if attempt.retry_after is not None:  # a rate limit: sleep until enough has decayed
            delay = min(max(attempt.retry_after, POLL_MIN), 1.0)
        else:
            delay = self._delay
            self._delay = min(self._delay * 2, POLL_MAX)
        return capped_delay(delay, self.deadline)

    def give_up(self) -> None:
        """Leave the line (timed out, interrupted): never block the waiters behind."""
        if self._queued:
            self._queued = False
            try:
                self.store.abandon(self.waiter_id)
            except Exception as exc:  # the entry goes stale by itself
                logger.debug("could not leave the concurrency line: %r", exc)


def _checked(attempt: Attempt, names: list[str], strict: bool, quiet: bool) -> Attempt:
    if attempt.limits:
        return attempt
    if strict:
        raise ConcurrencySlotAcquisitionError(
            f"Concurrency limits {names!r} must be created before acquiring slots: create them "
            "with `headwater gcl create NAME --limit N` (or pass strict=False to go on without)"
        )
    message = f"Concurrency limits {names!r} do not exist - skipping acquisition."
    level = logging.DEBUG if quiet else logging.WARNING
    try:
        from headwater.logging import get_run_logger

        get_run_logger().log(level, message)
    except Exception:
        logger.log(level, message)
    return attempt


def acquire(request: SlotRequest, strict: bool = False, quiet: bool = False) -> Attempt:
    """Wait (blocking this thread) until the slots are granted."""
    try:
        attempt = request.try_once()
        while not attempt.acquired:
            time.sleep(request.wait_before_retry(attempt))
            attempt = request.try_once()
    except BaseException:
        request.give_up()
        raise
    return _checked(attempt, request.names, strict, quiet)


async def aacquire(request: SlotRequest, strict: bool = False, quiet: bool = False) -> Attempt:
    """Wait (sleeping in the event loop) until the slots are granted."""
    try:
        attempt = request.try_once()
        while not attempt.acquired:
            await asyncio.sleep(request.wait_before_retry(attempt))
            attempt = request.try_once()
    except BaseException:
        request.give_up()
        raise
    return _checked(attempt, request.names, strict, quiet)
