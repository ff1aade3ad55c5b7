-- Concurrency limits (headwater.concurrency): global limits, rate limits, tag limits and their slot leases.
-- Part of the embedded store's schema (see SCHEMA_FILES in sqlite.py).
-- A limit: at most `limit` slots held at once over every process sharing the home. Slots are
-- held by leases (rows of concurrency_leases that their holder renews; an expired one counts
-- no more), plus `counted_slots`: slots taken by rate_limit (or set with --active-slots) that
-- drain away at `slot_decay_per_second` since `counted_at`. Tag limits are named "tag:<tag>".
CREATE TABLE IF NOT EXISTS concurrency_limits (
    name TEXT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    slot_limit INTEGER NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    slot_decay_per_second REAL NOT NULL DEFAULT 0,
    counted_slots REAL NOT NULL DEFAULT 0,
    counted_at REAL NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
-- One row per (lease, limit): `slots` held on `name` until `expires` (unix seconds).
CREATE TABLE IF NOT EXISTS concurrency_leases (
    lease_id TEXT NOT NULL,
    name TEXT NOT NULL,
    slots INTEGER NOT NULL,
    expires REAL NOT NULL,
    holder TEXT,
    PRIMARY KEY (lease_id, name)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS concurrency_leases_by_name ON concurrency_leases (name, expires);
-- Callers waiting for slots, in arrival order (ticket): a newcomer never takes slots an
-- earlier live waiter needs, so no process starves. A waiter refreshes `seen` on each poll;
-- one not seen for a while (killed) is ignored and swept.
CREATE TABLE IF NOT EXISTS concurrency_waiters (
    ticket INTEGER PRIMARY KEY AUTOINCREMENT,
    waiter_id TEXT NOT NULL,
    name TEXT NOT NULL,
    slots INTEGER NOT NULL,
    seen REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS concurrency_waiters_by_name ON concurrency_waiters (name, ticket);
