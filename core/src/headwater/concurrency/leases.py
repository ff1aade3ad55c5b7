"""Keeping held leases alive: one daemon thread per process renews them all.

A lease expires `lease_duration` seconds after it was taken or last renewed; a
process that holds slots renews each of its leases when a third of its duration
has passed, so the slots stay held as long as the process lives. A process
killed while holding (kill -9, a crashed machine) stops renewing, and its slots
free themselves when the lease runs out. Registering a lease costs a dict
insert; the thread starts on the first lease a process holds.
"""

from __future__ import annotations

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


class LeaseKeeper:
    """Renews this process's leases in the background until they are released."""

    def __init__(self) -> None:
        self._held: dict[str, _Held] = {}
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def hold(self, store: LimitStore, lease_id: str, duration: float, names: list[str]) -> None:
        held = _Held(store, duration, time.monotonic() + duration / 3, tuple(names))
        with self._wake:
            self._held[lease_id] = held
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="headwater-concurrency-leases", daemon=True
                )
                self._thread.start()
            elif duration < 30:  # a short lease may be due before the thread next wakes
                self._wake.notify()

    def drop(self, lease_id: str) -> None:
        with self._wake:
            self._held.pop(lease_id, None)

    def held(self) -> list[str]:
        with self._wake:
            return list(self._held)

    def _run(self) -> None:
        while True:
            with self._wake:
                now = time.monotonic()
                due = [(k, h) for k, h in self._held.items() if h.due <= now]
                if not due:
                    nxt = min((h.due for h in self._held.values()), default=now + 60)
                    self._wake.wait(timeout=max(0.01, nxt - now))
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


keeper = LeaseKeeper()

if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=keeper._after_fork_in_child)
