"""Counting events for one EventTrigger: time windows ("buckets"), as Prefect's server does.

Each (automation, trigger, `for_each` values) has at most one open bucket: a
window [start, end) and how many expected events it saw. A Reactive trigger
fires as soon as the count reaches `threshold`; a Proactive one fires when the
window closes with fewer. After firing (or when a window closes), a trigger
with `after` waits for the next `after` event; one without opens the next
window. Buckets are rows in `automation_buckets`, read and written inside the
evaluator's transaction, so every process sharing the home sees one count.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from headwater.events.schemas.automations import EventTrigger, Posture

#: called with (trigger path, bucket, triggering event dict or None) when a trigger fires
FireFn = Callable[[str, "Bucket", "dict[str, Any] | None"], None]


@dataclass
class Bucket:
    automation_id: str
    path: str
    key: tuple[str, ...]
    start: float
    end: float
    count: int
    last_event: dict[str, Any] | None = None


def read_bucket(
    c: sqlite3.Connection, automation_id: str, path: str, key: tuple[str, ...]
) -> Bucket | None:
    row = c.execute(
        "SELECT start, end, count, last_event_json FROM automation_buckets "
        "WHERE automation_id = ? AND trigger_path = ? AND bucket_key = ?",
        (automation_id, path, json.dumps(list(key))),
    ).fetchone()
    if row is None:
        return None
    last = json.loads(row[3]) if row[3] else None
    return Bucket(automation_id, path, key, row[0], row[1], row[2], last)


def read_buckets(c: sqlite3.Connection, automation_id: str, path: str) -> list[Bucket]:
    rows = c.execute(
        "SELECT bucket_key, start, end, count, last_event_json FROM automation_buckets "
        "WHERE automation_id = ? AND trigger_path = ?",
        (automation_id, path),
    ).fetchall()
    return [
        Bucket(automation_id, path, tuple(json.loads(r[0])), r[1], r[2], r[3],
               json.loads(r[4]) if r[4] else None)
        for r in rows
    ]  # fmt: skip


def save_bucket(c: sqlite3.Connection, b: Bucket) -> Bucket:
    c.execute(
        "INSERT OR REPLACE INTO automation_buckets (automation_id, trigger_path, bucket_key, "
        "start, end, count, last_event_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (b.automation_id, b.path, json.dumps(list(b.key)), b.start, b.end, b.count,
         json.dumps(b.last_event) if b.last_event else None),
    )  # fmt: skip
    return b


def remove_bucket(c: sqlite3.Connection, b: Bucket) -> None:
    c.execute(
        "DELETE FROM automation_buckets WHERE automation_id = ? AND trigger_path = ? "
        "AND bucket_key = ?",
        (b.automation_id, b.path, json.dumps(list(b.key))),
    )


def on_event(
    c: sqlite3.Connection,
    automation_id: str,
    path: str,
    trigger: EventTrigger,
    event: Any,
    event_dict: dict[str, Any],
    fire: FireFn,
) -> None:
    """Count one event (already known to be covered by `trigger`)."""
    key = trigger.bucketing_key(event)
    occurred = event.occurred.timestamp()
    within = trigger.within.total_seconds()
    bucket: Bucket | None = None
    if trigger.after and trigger.starts_after(event.event):
        bucket = read_bucket(c, automation_id, path, key)
        if bucket is None:  # an `after` event opens a window (if none is open)
            initial = -1 if trigger.expects(event.event) else 0
            bucket = save_bucket(
                c,
                Bucket(automation_id, path, key, occurred, occurred + within, initial, event_dict),
            )
    if bucket is None and not trigger.after and trigger.expects(event.event):
        bucket = read_bucket(c, automation_id, path, key)
        if bucket is None:
            bucket = save_bucket(
                c, Bucket(automation_id, path, key, occurred, occurred + within, 0, event_dict)
            )
    if not trigger.expects(event.event):
        return
    if bucket is None:
        bucket = read_bucket(c, automation_id, path, key)
        if bucket is None:
            return
    evaluate(c, trigger, bucket, occurred, event_dict, fire)


def evaluate(
    c: sqlite3.Connection,
    trigger: EventTrigger,
    bucket: Bucket,
    now: float,
    event_dict: dict[str, Any] | None,
    fire: FireFn,
) -> Bucket | None:
    """Spend one event (or none: a timer check) on `bucket`; fire if due. Returns the open bucket."""
    count = 1 if event_dict is not None else 0
    within = trigger.within.total_seconds()
    if now < bucket.start:  # late, or after this window already fired
        return bucket
    if count and (within == 0 or bucket.start <= now < bucket.end):
        bucket.count += count
        bucket.last_event = event_dict
        count = 0
        save_bucket(c, bucket)
    reactive = trigger.posture == Posture.Reactive
    ready = reactive or bucket.end <= now
    meets = bucket.count >= trigger.threshold if reactive else bucket.count < trigger.threshold
    fired = ready and meets
    if fired:
        fire(bucket.path, bucket, event_dict or bucket.last_event)
        remove_bucket(c, bucket)
    elif now < bucket.end:
        return bucket
    if trigger.after:
        remove_bucket(c, bucket)
        return None
    if within == 0:  # no windows: an unfired count simply carries on
        return None if fired else bucket
    start = max(bucket.end, now)
    fresh = Bucket(bucket.automation_id, bucket.path, bucket.key, start, start + within, 0, None)
    remove_bucket(c, bucket)
    save_bucket(c, fresh)
    if reactive and count:
        return evaluate(c, trigger, fresh, now, event_dict, fire)
    if count:
        fresh.count = count
        save_bucket(c, fresh)
    return fresh
