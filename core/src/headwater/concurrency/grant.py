"""The one transaction that grants slots, or puts the caller in line.

Inside BEGIN IMMEDIATE (so no other process decides at the same time): read the
limits with the slots their live leases hold and their live waiters; if the
request fits on every active limit, after the waiters ahead of it, record a
lease (or, for a rate limit, add to the decaying count); else take or refresh a
place in line. Expired leases and dead waiters are swept on the slow path only.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from typing import Any, NamedTuple

from headwater.concurrency.errors import ConcurrencySlotAcquisitionError

__all__ = ["WAITER_STALE_SECONDS", "Attempt", "decayed", "grant_or_queue"]

#: a waiter not seen polling for this long (killed) no longer holds its place in line
WAITER_STALE_SECONDS = 5.0


class Attempt(NamedTuple):
    """One try at taking slots."""

    #: the slots were taken (or no active limit applied)
    acquired: bool
    #: the lease to renew and release (None: nothing held, e.g. rate limits or inactive)
    lease_id: str | None
    #: the limits found among the names asked: {"id", "name", "limit"} each
    limits: list[dict[str, Any]]
    #: when not acquired: seconds until slots decay enough (rate limits), else None
    retry_after: float | None


def decayed(counted: float, decay: float, since: float, now: float) -> float:
    if decay <= 0:
        return counted
    return max(0.0, counted - decay * max(0.0, now - since))


def grant_or_queue(
    c: sqlite3.Connection,
    names: list[str],
    slots: int,
    mode: str,
    lease_duration: float,
    holder: dict[str, Any] | None,
    waiter_id: str,
) -> Attempt:
    now = time.time()
    stale = now - WAITER_STALE_SECONDS
    marks = ",".join("?" * len(names))
    # each limit with its slots held by live leases and its count of live waiters
    rows = c.execute(
        "SELECT name, id, slot_limit, active, slot_decay_per_second, counted_slots, counted_at, "
        "(SELECT coalesce(sum(slots), 0) FROM concurrency_leases AS l "
        " WHERE l.name = c.name AND l.expires > ?), "
        "(SELECT count(*) FROM concurrency_waiters AS w WHERE w.name = c.name AND w.seen >= ?) "
        f"FROM concurrency_limits AS c WHERE name IN ({marks})",
        [now, stale, *names],
    ).fetchall()
    limits = [{"id": r[1], "name": r[0], "limit": r[2]} for r in rows]
    active = [r for r in rows if r[3]]
    if not active:
        return Attempt(True, None, limits, None)
    _check_request(active, slots, mode)
    active_names = [r[0] for r in active]
    # the line: earlier live waiters on these limits come first (none: the common case)
    mine = None
    queued = any(r[8] for r in active)
    if queued:
        mine = c.execute(
            "SELECT min(ticket) FROM concurrency_waiters WHERE waiter_id = ?", (waiter_id,)
        ).fetchone()[0]
    retry_after: float | None = None
    fits = True
    for name, _id, limit, _active, decay, counted, counted_at, held, waiting in active:
        ahead = 0
        if waiting:
            ahead = c.execute(
                "SELECT coalesce(sum(slots), 0) FROM concurrency_waiters WHERE name = ? "
                "AND seen >= ? AND waiter_id != ? AND (? IS NULL OR ticket < ?)",
                (name, stale, waiter_id, mine, mine),
            ).fetchone()[0]
        short = held + decayed(counted, decay, counted_at, now) + ahead + slots - limit
        if short > 1e-9:
            fits = False
            if decay > 0 and held == 0:
                wait = short / decay
                retry_after = wait if retry_after is None else max(retry_after, wait)
    if not fits:
        _wait_in_line(c, active_names, slots, waiter_id, mine, now)
        return Attempt(False, None, limits, retry_after)
    if mine is not None:
        c.execute("DELETE FROM concurrency_waiters WHERE waiter_id = ?", (waiter_id,))
    if mode == "rate_limit":
        for name, _id, _limit, _active, decay, counted, counted_at, *_ in active:
            c.execute(
                "UPDATE concurrency_limits SET counted_slots = ?, counted_at = ? WHERE name = ?",
                (decayed(counted, decay, counted_at, now) + slots, now, name),
            )
        return Attempt(True, None, limits, None)
    lease_id = os.urandom(12).hex()
    holder_json = json.dumps(holder) if holder is not None else None
    c.executemany(
        "INSERT INTO concurrency_leases (lease_id, name, slots, expires, holder) "
        "VALUES (?, ?, ?, ?, ?)",
        [(lease_id, name, slots, now + lease_duration, holder_json) for name in active_names],
    )
    return Attempt(True, lease_id, limits, None)


def _check_request(active: list[Any], slots: int, mode: str) -> None:
    """Raise for a request no wait can grant: more slots than a limit has, or a
    rate limit on a limit without decay."""
    too_small = [f"{r[0]!r} (limit {r[2]})" for r in active if r[2] < slots]
    if too_small:
        raise ConcurrencySlotAcquisitionError(
            f"Unable to acquire {slots} slot(s) on {', '.join(too_small)}: slots requested is "
            "greater than the limit; ask for fewer slots or raise the limit "
            "(headwater gcl update NAME --limit N)"
        )
    if mode == "rate_limit":
        flat = [r[0] for r in active if r[4] <= 0]
        if flat:
            raise ConcurrencySlotAcquisitionError(
                "Only concurrency limits with slot decay can be used for rate limiting. The "
                f"following limits do not have a decay configured: {','.join(flat)!r}; set one "
                "with `headwater gcl update NAME --slot-decay-per-second S`"
            )


def _wait_in_line(
    c: sqlite3.Connection,
    names: list[str],
    slots: int,
    waiter_id: str,
    mine: int | None,
    now: float,
) -> None:
    """Take a place in line (or refresh it); sweep expired leases and dead waiters."""
    marks = ",".join("?" * len(names))
    c.execute(
        f"DELETE FROM concurrency_leases WHERE name IN ({marks}) AND expires <= ?", [*names, now]
    )
    c.execute("DELETE FROM concurrency_waiters WHERE seen < ?", (now - WAITER_STALE_SECONDS,))
    if mine is None:
        mine = c.execute(
            "SELECT min(ticket) FROM concurrency_waiters WHERE waiter_id = ?", (waiter_id,)
        ).fetchone()[0]
    if mine is None:
        c.executemany(
            "INSERT INTO concurrency_waiters (waiter_id, name, slots, seen) VALUES (?, ?, ?, ?)",
            [(waiter_id, name, slots, now) for name in names],
        )
    else:
        c.execute("UPDATE concurrency_waiters SET seen = ? WHERE waiter_id = ?", (now, waiter_id))
