"""`MemoryLockManager`: locks shared by the threads of this process.

One instance per process (as Prefect's), so every transaction in the process
sees the same locks; it pickles to the receiving process's instance. Held
locks lapse after `hold_timeout`, checked when anyone looks (no timer threads).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from headwater.locking.protocol import PollingAsyncLocks, check_timeout

__all__ = ["MemoryLockManager"]


class MemoryLockManager(PollingAsyncLocks):
    _instance: MemoryLockManager | None = None
    _instance_lock = threading.Lock()

    def __new__(cls, *args: Any, **kwargs: Any) -> MemoryLockManager:
        with cls._instance_lock:
            if cls._instance is None:
                instance = super().__new__(cls)
                instance._changed = threading.Condition()
                #: key -> (holder, lapse time on the monotonic clock or None)
                instance._locks = {}
                cls._instance = instance
            return cls._instance

    _changed: threading.Condition
    _locks: dict[str, tuple[str, float | None]]

    def __reduce__(self) -> tuple[Any, ...]:
        return (MemoryLockManager, ())

    def _current(self, key: str, now: float) -> tuple[str, float | None] | None:
        """The live lock on `key` (caller holds `_changed`); lapsed locks are dropped."""
        info = self._locks.get(key)
        if info is not None and info[1] is not None and info[1] <= now:
            del self._locks[key]
            self._changed.notify_all()
            return None
        return info

    def acquire_lock(
        self,
        key: str,
        holder: str,
        acquire_timeout: float | None = None,
        hold_timeout: float | None = None,
    ) -> bool:
        acquire_timeout = check_timeout(acquire_timeout, "acquire_timeout")
        hold_timeout = check_timeout(hold_timeout, "hold_timeout")
        start = time.monotonic()
        deadline = None if acquire_timeout is None else start + acquire_timeout
        with self._changed:
            while True:
                now = time.monotonic()
                info = self._current(key, now)
                if info is None or info[0] == holder:
                    lapse = None if hold_timeout is None else now + hold_timeout
                    self._locks[key] = (holder, lapse)
                    return True
                if deadline is not None and now >= deadline:
                    return False
                self._changed.wait(_wait_time(now, deadline, info[1]))

    def release_lock(self, key: str, holder: str) -> None:
        with self._changed:
            info = self._current(key, time.monotonic())
            if info is None or info[0] != holder:
                held = f"it is held by {info[0]!r}" if info else "it is not locked"
                raise ValueError(f"No lock held by {holder!r} for key {key!r}: {held}")
            del self._locks[key]
            self._changed.notify_all()

    def is_locked(self, key: str) -> bool:
        with self._changed:
            return self._current(key, time.monotonic()) is not None

    def is_lock_holder(self, key: str, holder: str) -> bool:
        with self._changed:
            info = self._current(key, time.monotonic())
            return info is not None and info[0] == holder

    def wait_for_lock(self, key: str, timeout: float | None = None) -> bool:
        timeout = check_timeout(timeout, "timeout")
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._changed:
            while True:
                now = time.monotonic()
                info = self._current(key, now)
                if info is None:
                    return True
                if deadline is not None and now >= deadline:
                    return False
                self._changed.wait(_wait_time(now, deadline, info[1]))


def _wait_time(now: float, deadline: float | None, lapse: float | None) -> float | None:
    ends = [t for t in (deadline, lapse) if t is not None]
    return max(0.0, min(ends) - now) if ends else None
