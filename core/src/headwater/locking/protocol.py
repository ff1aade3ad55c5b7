"""The `LockManager` protocol, and the async half shared by headwater's managers."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol, runtime_checkable

__all__ = ["LockManager", "PollingAsyncLocks", "check_timeout"]


@runtime_checkable
class LockManager(Protocol):
    """Prefect's lock manager interface; `holder` names who holds a lock (any string)."""

    def acquire_lock(
        self,
        key: str,
        holder: str,
        acquire_timeout: float | None = None,
        hold_timeout: float | None = None,
    ) -> bool:
        """Take the lock on `key` for `holder`; wait up to `acquire_timeout` seconds
        (None: forever, 0: not at all). The lock lapses after `hold_timeout` seconds
        (None: held until released). True if taken (or already held by `holder`)."""
        ...

    async def aacquire_lock(
        self,
        key: str,
        holder: str,
        acquire_timeout: float | None = None,
        hold_timeout: float | None = None,
    ) -> bool: ...

    def release_lock(self, key: str, holder: str) -> None:
        """Release `holder`'s lock on `key`; ValueError if `holder` does not hold it."""
        ...

    def is_locked(self, key: str) -> bool: ...

    def is_lock_holder(self, key: str, holder: str) -> bool: ...

    def wait_for_lock(self, key: str, timeout: float | None = None) -> bool:
        """Wait until `key` is free; False if still locked after `timeout` seconds."""
        ...

    async def await_for_lock(self, key: str, timeout: float | None = None) -> bool: ...


def check_timeout(value: float | None, name: str) -> float | None:
    if value is None:
        return None
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} must be a number of seconds >= 0 or None, got {value!r}")
    return float(value)


class PollingAsyncLocks:
    """Async twins that poll the non-blocking sync calls, so a cancelled wait
    leaves no thread behind blocked on a lock."""

    POLL_MIN = 0.005
    POLL_MAX = 0.1

    def acquire_lock(
        self,
        key: str,
        holder: str,
        acquire_timeout: float | None = None,
        hold_timeout: float | None = None,
    ) -> bool:
        raise NotImplementedError

    def is_locked(self, key: str) -> bool:
        raise NotImplementedError

    async def aacquire_lock(
        self,
        key: str,
        holder: str,
        acquire_timeout: float | None = None,
        hold_timeout: float | None = None,
    ) -> bool:
        acquire_timeout = check_timeout(acquire_timeout, "acquire_timeout")
        deadline = None if acquire_timeout is None else time.monotonic() + acquire_timeout
        delay = self.POLL_MIN
        while not self.acquire_lock(key, holder, acquire_timeout=0, hold_timeout=hold_timeout):
            if deadline is not None and time.monotonic() >= deadline:
                return False
            await asyncio.sleep(capped_delay(delay, deadline))
            delay = min(delay * 2, self.POLL_MAX)
        return True

    async def await_for_lock(self, key: str, timeout: float | None = None) -> bool:
        timeout = check_timeout(timeout, "timeout")
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = self.POLL_MIN
        while self.is_locked(key):
            if deadline is not None and time.monotonic() >= deadline:
                return False
            await asyncio.sleep(capped_delay(delay, deadline))
            delay = min(delay * 2, self.POLL_MAX)
        return True


def capped_delay(delay: float, deadline: float | None) -> float:
    """`delay`, shortened so a poll never sleeps past `deadline` (None: no deadline)."""
    if deadline is None:
        return delay
    return max(0.0, min(delay, deadline - time.monotonic()))
