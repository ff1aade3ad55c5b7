"""Where limits and their slot leases live: tables in the home's database.

`LimitStore` is the interface the rest of `headwater.concurrency` uses; it speaks
plain values (dicts, strings, numbers), so a server can serve the same calls
later. `EmbeddedLimitStore` keeps them in `HEADWATER_HOME/headwater.db`: every
acquisition is one BEGIN IMMEDIATE transaction, so however many processes share
the home, the slots held never exceed a limit.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Protocol

from headwater import settings
from headwater.concurrency.grant import Attempt, decayed, grant_or_queue
from headwater.history import home_database
from headwater.history.home_database import HomeDatabase, for_home

__all__ = ["Attempt", "EmbeddedLimitStore", "LimitStore", "get_store"]

_LIMIT_COLUMNS = (
    "id, name, slot_limit, active, slot_decay_per_second, counted_slots, counted_at, "
    "created, updated"
)


class LimitStore(Protocol):
    """The calls concurrency limits need from a store (embedded today, a server later)."""

    def create(
        self, name: str, limit: int, active: bool, slot_decay_per_second: float, active_slots: int
    ) -> dict[str, Any]: ...
    def read(self, name: str) -> dict[str, Any] | None: ...
    def read_all(self, names: list[str] | None = None) -> list[dict[str, Any]]: ...
    def update(self, name: str, **changes: Any) -> bool: ...
    def delete(self, name: str) -> bool: ...
    def reset(self, name: str) -> bool: ...
    def names_with_prefix(self, prefix: str) -> frozenset[str]: ...
    def try_acquire(
        self,
        names: list[str],
        slots: int,
        mode: str,
        lease_duration: float,
        holder: dict[str, Any] | None,
        waiter_id: str,
    ) -> Attempt: ...
    def abandon(self, waiter_id: str) -> None: ...
    def renew(self, lease_id: str, lease_duration: float) -> bool: ...
    def release(self, lease_id: str, deferred: bool = False) -> None: ...
    def flush_releases(self) -> None: ...


class EmbeddedLimitStore(HomeDatabase):
    """Limits, leases and waiters in one home's SQLite database.

    A released lease may be deleted later (`release(deferred=True)`): by the
    next acquisition's transaction in this process, or by `flush_releases()`
    (the lease keeper calls it a few milliseconds later). An uncontended
    acquire and release then costs one write transaction instead of two, and
    a slot is never over-granted: until the delete, it only looks held.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._releases: list[str] = []
        self._releases_lock = threading.Lock()

    def _forget_connection(self) -> None:
        super()._forget_connection()
        self._releases = []  # the parent's releases are the parent's to write
        self._releases_lock = threading.Lock()

    def _take_releases(self) -> list[str]:
        with self._releases_lock:
            taken, self._releases = self._releases, []
        return taken

    def _requeue(self, lease_ids: list[str]) -> None:
        with self._releases_lock:
            self._releases[:0] = lease_ids

    # --- managing limits ---------------------------------------------------------
    def create(
        self,
        name: str,
        limit: int,
        active: bool = True,
        slot_decay_per_second: float = 0.0,
        active_slots: int = 0,
    ) -> dict[str, Any]:
        now = time.time()
        new_id = str(uuid.uuid4())

        def insert(c: sqlite3.Connection) -> None:
            c.execute(
                f"INSERT INTO concurrency_limits ({_LIMIT_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new_id,
                    name,
                    limit,
                    int(active),
                    slot_decay_per_second,
                    active_slots,
                    now,
                    now,
                    now,
                ),
            )

        self.transaction(insert)
        found = self.read(name)
        assert found is not None
        return found

    def read(self, name: str) -> dict[str, Any] | None:
        rows = self.read_all([name])
        return rows[0] if rows else None

    def read_all(self, names: list[str] | None = None) -> list[dict[str, Any]]:
        """Limits (all, or those named) by name, with their occupied slots and holders now."""
        self.flush_releases()  # what this process gave back is free, as it would see it

        def load(c: sqlite3.Connection) -> list[dict[str, Any]]:
            now = time.time()
            if names is None:
                rows = c.execute(
                    f"SELECT {_LIMIT_COLUMNS} FROM concurrency_limits ORDER BY name"
                ).fetchall()
            else:
                marks = ",".join("?" * len(names))
                rows = c.execute(
                    f"SELECT {_LIMIT_COLUMNS} FROM concurrency_limits WHERE name IN ({marks}) "
                    "ORDER BY name",
                    names,
                ).fetchall()
            found = []
            for lid, name, limit, active, decay, counted, counted_at, created, updated in rows:
                leases = c.execute(
                    "SELECT lease_id, slots, expires, holder FROM concurrency_leases "
                    "WHERE name = ? AND expires > ? ORDER BY expires",
                    (name, now),
                ).fetchall()
                held = sum(r[1] for r in leases)
                found.append(
                    {
                        "id": lid,
                        "name": name,
                        "limit": limit,
                        "active": bool(active),
                        "slot_decay_per_second": decay,
                        "active_slots": held + decayed(counted, decay, counted_at, now),
                        "holders": [
                            {
                                "lease_id": r[0],
                                "slots": r[1],
                                "expires": r[2],
                                "holder": json.loads(r[3]) if r[3] else None,
                            }
                            for r in leases
                        ],
                        "created": created,
                        "updated": updated,
                    }
                )
            return found

        # one read transaction: the limits and their leases seen at one instant
        with self._lock:
            conn = self._db()
            conn.execute("BEGIN")
            try:
                return load(conn)
            finally:
                conn.execute("COMMIT")

    def update(self, name: str, **changes: Any) -> bool:
        """Change `limit`, `active`, `slot_decay_per_second` or `active_slots` of `name`."""
        columns = {"limit": "slot_limit", "active": "active", "slot_decay_per_second": None}
        now = time.time()

        def change(c: sqlite3.Connection) -> bool:
            row = c.execute(
                "SELECT slot_decay_per_second, counted_slots, counted_at FROM concurrency_limits "
                "WHERE name = ?",
                (name,),
            ).fetchone()
            if row is None:
                return False
            decay, counted, counted_at = row
            # bring the decaying count up to now before the rate changes
            counted = decayed(counted, decay, counted_at, now)
            sets: dict[str, Any] = {"counted_slots": counted, "counted_at": now, "updated": now}
            for key, value in changes.items():
                if key == "active_slots":
                    c.execute("DELETE FROM concurrency_leases WHERE name = ?", (name,))
                    sets["counted_slots"] = value
                elif key in columns:
                    sets[columns[key] or key] = int(value) if key == "active" else value
                else:
                    raise TypeError(f"cannot update {key!r} of a concurrency limit")
            assignments = ", ".join(f"{column} = ?" for column in sets)
            c.execute(
                f"UPDATE concurrency_limits SET {assignments} WHERE name = ?",
                [*sets.values(), name],
            )
            return True

        return bool(self.transaction(change))

    def delete(self, name: str) -> bool:
        def remove(c: sqlite3.Connection) -> bool:
            c.execute("DELETE FROM concurrency_leases WHERE name = ?", (name,))
            c.execute("DELETE FROM concurrency_waiters WHERE name = ?", (name,))
            return c.execute("DELETE FROM concurrency_limits WHERE name = ?", (name,)).rowcount > 0

        return bool(self.transaction(remove))

    def reset(self, name: str) -> bool:
        """Free every slot of `name` (drop its leases and decaying count)."""
        return self.update(name, active_slots=0)

    def names_with_prefix(self, prefix: str) -> frozenset[str]:
        rows = self.query(
            "SELECT name FROM concurrency_limits WHERE substr(name, 1, ?) = ?",
            (len(prefix), prefix),
        )
        return frozenset(r[0] for r in rows)

    # --- slots -------------------------------------------------------------------
    def try_acquire(
        self,
        names: list[str],
        slots: int,
        mode: str,
        lease_duration: float,
        holder: dict[str, Any] | None,
        waiter_id: str,
    ) -> Attempt:
        """Take `slots` on every active limit among `names`, all or none; when they do
        not fit, queue `waiter_id` (or refresh its place) and return not acquired."""

        released = self._take_releases()

        def attempt(c: sqlite3.Connection) -> Attempt:
            if released:
                _delete_leases(c, released)
            return grant_or_queue(c, names, slots, mode, lease_duration, holder, waiter_id)

        try:
            result: Attempt = self.transaction(attempt)
        except BaseException:
            self._requeue(released)
            raise
        return result

    def abandon(self, waiter_id: str) -> None:
        """Leave the line (the caller timed out or was interrupted)."""
        self.transaction(
            lambda c: c.execute("DELETE FROM concurrency_waiters WHERE waiter_id = ?", (waiter_id,))
        )

    def renew(self, lease_id: str, lease_duration: float) -> bool:
        """Push the lease's expiry `lease_duration` seconds ahead; False if it is gone."""
        expires = time.time() + lease_duration

        def push(c: sqlite3.Connection) -> bool:
            return (
                c.execute(
                    "UPDATE concurrency_leases SET expires = ? WHERE lease_id = ? AND expires > ?",
                    (expires, lease_id, time.time()),
                ).rowcount
                > 0
            )

        return bool(self.transaction(push))

    def release(self, lease_id: str, deferred: bool = False) -> None:
        """Give the lease's slots back: now, or (`deferred`) with the next write."""
        with self._releases_lock:
            self._releases.append(lease_id)
        if not deferred:
            self.flush_releases()

    def flush_releases(self) -> None:
        """Delete the leases released so far (one transaction; nothing to do: no write)."""
        released = self._take_releases()
        if not released or not self.path.parent.is_dir():  # no home left: nothing is held
            return
        try:
            self.transaction(lambda c: _delete_leases(c, released))
        except BaseException:
            self._requeue(released)
            raise


def _delete_leases(c: sqlite3.Connection, lease_ids: list[str]) -> None:
    c.executemany("DELETE FROM concurrency_leases WHERE lease_id = ?", [(i,) for i in lease_ids])


_home_key = settings.watch("home")
_by_home: dict[tuple[Any, ...], tuple[tuple[Any, Any], EmbeddedLimitStore]] = {}


def get_store(home: str | None = None) -> LimitStore:
    """The limits store for `home` (default: HEADWATER_HOME, looked up once per home
    while its connection stays open: a closed home gets a fresh one)."""
    if home is not None:
        return for_home(EmbeddedLimitStore, home)
    key = _home_key()
    found = _by_home.get(key)
    if found is not None and home_database._cache.get(found[0]) is found[1]:
        return found[1]
    store = for_home(EmbeddedLimitStore)
    _by_home[key] = ((EmbeddedLimitStore, store.path), store)
    return store
