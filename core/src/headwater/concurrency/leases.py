"""Keeping held leases alive: one daemon thread per process renews them all.

A lease expires `lease_duration` seconds after it was taken or last renewed; a
process that holds slots renews each of its leases when a third of its duration
has passed, so the slots stay held as long as the process lives. A process
killed while holding (kill -9, a crashed machine) stops renewing, and its slots
free themselves when the lease runs out. Registering a lease costs a dict
insert; the thread starts on the first lease a process holds.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from dataclasses import dataclass

from headwater.concurrency.storage import LimitStore

__all__ = ["LeaseKeeper", "keeper"]

logger = logging.getLogger("headwater.concurrency")


@dataclass
class _Held:
    store: LimitStore
    duration: float
    due: float  # time.monotonic() of the next renewal
    names: tuple[str, ...]


#: a released lease is deleted this long after release at the latest (sooner when
#: this process acquires again: that transaction deletes it); waiters elsewhere
#: poll every 5-50 ms, so they do not notice the difference
RELEASE_DELAY = 0.002


class LeaseKeeper:
    """Renews this process's leases in the background until they are released,
    and writes releases that were deferred."""

    def __init__(self) -> None:
        self._held: dict[str, _Held] = {}
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._flush: set[LimitStore] = set()
        self._flush_due: float | None = None
        # held while releases are written: a flush at exit waits for the thread's, which
        # may have taken the releases already (a daemon thread dies with the process)
        self._flushing = threading.Lock()

    def hold(self, store: LimitStore, lease_id: str, duration: float, names: list[str]) -> None:
        held = _Held(store, duration, time.monotonic() + duration / 3, tuple(names))
        with self._wake:
            self._held[lease_id] = held
            if self._thread is None:
                self._start()
            elif duration < 30:  # a short lease may be due before the thread next wakes
                self._wake.notify()

    def release(self, store: LimitStore, lease_id: str) -> None:
        """Stop renewing `lease_id` and give its slots back within RELEASE_DELAY."""
        with self._wake:
            self._held.pop(lease_id, None)
        store.release(lease_id, deferred=True)
        with self._wake:
            self._flush.add(store)
            if self._flush_due is None:
                self._flush_due = time.monotonic() + RELEASE_DELAY
                if self._thread is None:
                    self._start()
                self._wake.notify()

    def flush(self) -> None:
        """Write every deferred release now (at exit: others must not wait for expiry)."""
        with self._flushing:
            with self._wake:
                stores, self._flush, self._flush_due = self._flush, set(), None
            for store in stores:
                try:
                    store.flush_releases()
                except Exception as exc:  # the leases expire by themselves
                    logger.warning("could not release concurrency slots: %r", exc)

    def _start(self) -> None:
        self._thread = threading.Thread(
            target=self._run, name="headwater-concurrency-leases", daemon=True
        )
        self._thread.start()

    def held(self) -> list[str]:
        with self._wake:
            return list(self._held)

    def _run(self) -> None:
        while True:
            with self._wake:
                now = time.monotonic()
                flush_due = self._flush_due
                if flush_due is not None and flush_due <= now:
                    flush = True
                else:
                    flush = False
                    due = [(k, h) for k, h in self._held.items() if h.due <= now]
            if flush:
                self.flush()
                continue
            with self._wake:
                if not due:
                    nxt = min((h.due for h in self._held.values()), default=now + 60)
                    if self._flush_due is not None:
                        nxt = min(nxt, self._flush_due)
                    self._wake.wait(timeout=max(0.0005, nxt - now))
                    continue
                for _, h in due:
                    h.due = now + h.duration / 3
            for lease_id, h in due:
                self._renew(lease_id, h)

    def _renew(self, lease_id: str, held: _Held) -> None:
        try:
            alive = held.store.renew(lease_id, held.duration)
        except Exception as exc:  # a transient store problem: try again at the next turn
            logger.warning("could not renew concurrency lease on %s: %r", held.names, exc)
            return
        if not alive:
            with self._wake:
                still_held = self._held.pop(lease_id, None) is not None
            if still_held:
                logger.warning(
                    "the concurrency lease on %s expired or was reset before it could be "
                    "renewed: its slots may now be given to others (was the process stalled "
                    "for longer than lease_duration=%gs?)",
                    ", ".join(held.names),
                    held.duration,
                )

    def _after_fork_in_child(self) -> None:
        # the parent's leases are the parent's to renew; the child starts afresh
        self._held = {}
        self._wake = threading.Condition()
        self._thread = None
        self._flush = set()
        self._flush_due = None
        self._flushing = threading.Lock()


keeper = LeaseKeeper()

if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=keeper._after_fork_in_child)
atexit.register(keeper.flush)
