"""State-change events, derived from the state rows inside the transaction that writes them.

Every state a flow or task run enters is also an event, as in Prefect:
`headwater.flow-run.<state name>` / `headwater.task-run.<state name>` about the
resource `headwater.flow-run.<id>` (labels: name, state type, name, message and
timestamp under `headwater.*`), related to its flow, its flow run (for a task
run), the task run it runs in (for a subflow) and its tags, with Prefect's
`intended` / `initial_state` / `validated_state` payload.

The engine records only the `StateChange` tuple it always did. One INSERT ...
SELECT after the batch's state rows builds the event rows in SQLite (JSON made
by SQLite, the GIL released), so an event costs the engine's thread nothing and
is in the same transaction as its state: a state is never without its event.
Rows inserted in one write transaction get consecutive `seq` values, so "the last
`count` state rows" are exactly the ones this batch added.
"""

from __future__ import annotations

import sqlite3

__all__ = ["DERIVE_STATE_EVENTS", "derive_state_events"]

#: a random (version 4) UUID as text, made by SQLite
_UUID = (
    "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || "
    "substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || "
    "substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))"
)
#: ISO 8601 in UTC with microseconds, as Python's `datetime.isoformat()` writes it
_ISO = (
    "strftime('%Y-%m-%dT%H:%M:%S', CAST({ts} AS INTEGER), 'unixepoch') || "
    "printf('.%06d', min(999999, CAST(round(({ts} - CAST({ts} AS INTEGER)) * 1000000) AS INTEGER)))"
    " || '+00:00'"
)


def _state(alias: str) -> str:
    return (
        f"json_object('type', {alias}.type, 'name', {alias}.name, "
        f"'message', coalesce({alias}.message, ''), "
        f"'timestamp', {_ISO.format(ts=f'{alias}.timestamp')})"
    )


def _related(rid: str, role: str, name: str | None = None) -> str:
    labels = f"'headwater.resource.id', {rid}, 'headwater.resource.role', '{role}'"
    if name is not None:
        labels += f", 'headwater.resource.name', {name}"
    return f"json_object({labels})"


# s: the state row; t: the task run (task states); f: the flow run (a flow state's own
# run, or a task run's flow run); pt: the task run a subflow runs as. Related resources in
# Prefect's order: flow-run, task-run, flow, then tags (sorted, the run's and its flow run's).
DERIVE_STATE_EVENTS = f"""
INSERT INTO events (id, event, occurred, resource_json, payload_json, related_json, follows)
SELECT
    {_UUID},
    'headwater.' || s.run_kind || '-run.' || s.name,
    s.timestamp,
    json_object(
        'headwater.resource.id', 'headwater.' || s.run_kind || '-run.' || s.run_id,
        'headwater.resource.name',
            coalesce(CASE s.run_kind WHEN 'task' THEN t.name ELSE f.name END, ''),
        'headwater.state-message', coalesce(s.message, ''),
        'headwater.state-name', s.name,
        'headwater.state-timestamp', {_ISO.format(ts="s.timestamp")},
        'headwater.state-type', s.type
    ),
    json_object(
        'intended', json_object('from', p.type, 'to', s.type),
        'initial_state', CASE WHEN p.seq IS NULL THEN NULL ELSE {_state("p")} END,
        'validated_state', {_state("s")}
    ),
    (SELECT json_group_array(json(r)) FROM (
        SELECT 1 AS k, {_related("'headwater.flow-run.' || f.id", "flow-run", "f.name")} AS r
            WHERE s.run_kind = 'task' AND f.id IS NOT NULL
        UNION ALL
        SELECT 2, {_related("'headwater.task-run.' || pt.id", "task-run", "pt.name")}
            WHERE pt.id IS NOT NULL
        UNION ALL
        SELECT 3, {_related("'headwater.flow.' || f.flow_name", "flow", "f.flow_name")}
            WHERE f.id IS NOT NULL
        UNION ALL
        SELECT 4, {_related("'headwater.tag.' || tag", "tag")} FROM (
            SELECT value AS tag FROM json_each(t.tags_json)
            UNION SELECT value FROM json_each(f.tags_json)
            ORDER BY 1
        )
        ORDER BY 1
    )),
    NULL
FROM states s
LEFT JOIN task_runs t ON s.run_kind = 'task' AND t.id = s.run_id
LEFT JOIN flow_runs f ON f.id = CASE s.run_kind WHEN 'task' THEN t.flow_run_id ELSE s.run_id END
LEFT JOIN task_runs pt ON s.run_kind = 'flow' AND pt.id = f.parent_task_run_id
LEFT JOIN states p ON p.seq = (
    SELECT max(seq) FROM states WHERE run_id = s.run_id AND seq < s.seq
)
WHERE s.seq > (SELECT max(seq) FROM states) - ?
ORDER BY s.seq
"""


def derive_state_events(conn: sqlite3.Connection, count: int) -> None:
    """Insert the events of the last `count` state rows (inserted in this transaction)."""
    if count:
        conn.execute(DERIVE_STATE_EVENTS, (count,))
