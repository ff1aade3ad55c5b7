"""Event filters written as SQLite conditions, applied to events read from another database.

`RunHistory.read_events(where=...)` takes an SQL condition from the layer that
knows event names (`headwater.events.filters`), written for SQLite (GLOB, JSON
paths, json_each). On PostgreSQL the events are read in `seq` order, a chunk at
a time, and each chunk is tested by that same condition in an in-memory SQLite
table, until `limit` events matched: one meaning of a filter everywhere, in
bounded memory.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["CHUNK", "matching_rows"]

#: events read from the database per round
CHUNK = 2000
_COLUMNS = "seq, id, event, occurred, resource_json, payload_json, related_json, follows"


def matching_rows(
    read_chunk: Callable[[int | None, int], Sequence[Sequence[Any]]],
    where: tuple[str, list[Any]],
    limit: int | None,
) -> list[Sequence[Any]]:
    """Rows (in `_COLUMNS` order) that `where` accepts, in the order `read_chunk` gives.

    `read_chunk(cursor, size)` returns the next `size` rows after the `seq` cursor
    (None: from the start), in the wanted order.
    """
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(f"CREATE TABLE events (pos INTEGER PRIMARY KEY, {_COLUMNS})")
        holes = ", ".join("?" * 9)
        test = f"SELECT pos FROM events WHERE ({where[0]}) ORDER BY pos"
        found: list[Sequence[Any]] = []
        cursor: int | None = None
        while limit is None or limit < 0 or len(found) < limit:
            rows = read_chunk(cursor, CHUNK)
            if not rows:
                break
            conn.execute("DELETE FROM events")
            conn.executemany(
                f"INSERT INTO events VALUES ({holes})", [(i, *row) for i, row in enumerate(rows)]
            )
            found += [rows[pos] for (pos,) in conn.execute(test, where[1])]
            cursor = rows[-1][0]
        return found if limit is None or limit < 0 else found[:limit]
    finally:
        conn.close()
