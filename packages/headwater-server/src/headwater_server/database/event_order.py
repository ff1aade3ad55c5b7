"""Event seqs handed out in commit order on PostgreSQL.

`event_rows.seq` comes from a sequence, taken when a row is inserted, not when its
transaction commits: two batches committing at once could make a lower seq
visible after a higher one, and every reader that moves a cursor `seq > last`
(the automation evaluator, GET /api/events/filter/next, `headwater events stream`)
would skip the lower one forever. So a transaction takes one advisory lock right
before its first event row and holds it until it commits: the next one's seqs are
taken only after that commit. SQLite has one writer at a time already.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

__all__ = ["EVENT_ORDER_LOCK", "lock_event_order"]

#: the advisory lock key every transaction writing event rows takes (b"hw-event" as a
#: bigint, so it is unlikely to meet another application's key on a shared database)
EVENT_ORDER_LOCK = int.from_bytes(b"hw-event", "big") - (1 << 63)


def lock_event_order(connection: Connection) -> None:
    """Wait for every other transaction writing events to commit, and hold them off until
    this one ends (PostgreSQL; a no-op elsewhere). Taking it twice is harmless."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": EVENT_ORDER_LOCK})
