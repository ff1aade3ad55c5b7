"""State-change events: recorded as a one-line reference to their state, read in full.

Every state a flow or task run enters is also an event, as in Prefect:
`headwater.flow-run.<state name>` / `headwater.task-run.<state name>` about the
resource `headwater.flow-run.<id>` (labels: name, state type, name, message and
timestamp under `headwater.*`), related to its flow, its flow run (for a task
run), the task run it runs in (for a subflow) and its tags, with Prefect's
`intended` / `initial_state` / `validated_state` payload.

The engine records only the `StateChange` tuple it always did. In the same
transaction as the batch's state rows, one INSERT ... SELECT adds an event row
per state: id, name, time and the state row's `seq`, a couple of microseconds of
SQLite's time. The labels, payload and related resources are the same for every
reader and follow from the state and run rows, so the `events` view builds them
when an event is read; building them at write time cost the writer several
times more than the state itself, and the writer shares the machine with the run.
Rows inserted in one write transaction get consecutive `seq` values, so "the last
`count` state rows" are exactly the ones this batch added.
"""

from __future__ import annotations

import sqlite3

__all__ = ["DERIVE_STATE_EVENTS", "EVENTS_VIEW", "derive_state_events", "upgrade_events_table"]

#: the event's id: the run id's time-ordered (version 7) head with the state row's
#: `seq` as its last 48 bits; unique, since a seq is never reused in a home, and
#: made without random calls (SQLite's are the dearest part of a row here)
_EVENT_ID = "substr(s.run_id, 1, 24) || printf('%012x', s.seq)"
#: ISO 8601 in UTC with microseconds, as Python's `datetime.isoformat()` writes it
_ISO = (
    "strftime('%Y-%m-%dT%H:%M:%S', CAST({ts} AS INTEGER), 'unixepoch') || "
    "printf('.%06d', min(999999, CAST(round(({ts} - CAST({ts} AS INTEGER)) * 1000000) AS INTEGER)))"
    " || '+00:00'"
)


def _q(expression: str) -> str:
    """`expression` as a JSON value (a quoted string, or null)."""
    return f"json_quote({expression})"


def _state(alias: str) -> str:
    """A state as Prefect's state-change payload shows it."""
    kind, name = _q(f"{alias}.type"), _q(f"{alias}.name")
    message = _q("coalesce(" + alias + ".message, '')")
    return (
        f"'{{\"type\":' || {kind} || ',\"name\":' || {name} || ',\"message\":' || {message} || '}}'"
    )


def _related(rid: str, role: str, name: str | None = None) -> str:
    text = f'\'{{"headwater.resource.id":\' || {_q(rid)} || \',"headwater.resource.role":"{role}"\''
    if name is not None:
        text += f" || ',\"headwater.resource.name\":' || {_q(name)}"
    return text + " || '}'"


# The JSON is joined as text (json_quote for each value): SQLite's json_object
# re-checks its arguments and costs several times as much per event.
# s: the state row; t: the task run (task states); f: the flow run (a flow state's own
# run, or a task run's flow run); pt: the task run a subflow runs as; p: the run's
# previous state. Related resources in Prefect's order: flow-run, task-run, flow, then
# tags (the run's and its flow run's, sorted). Each related piece ends in a comma; the
# last one is trimmed.
_TAGS = (
    "(SELECT group_concat(" + _related("'headwater.tag.' || value", "tag") + ", ',') FROM "
    "(SELECT value FROM json_each(t.tags_json) UNION SELECT value FROM json_each(f.tags_json)))"
)
_RUN_ID = "'headwater.' || s.run_kind || '-run.' || s.run_id"
_RUN_NAME = "coalesce(CASE s.run_kind WHEN 'task' THEN t.name ELSE f.name END, '')"
_RESOURCE = f"""'{{"headwater.resource.id":' || {_q(_RUN_ID)} ||
    ',"headwater.resource.name":' || {_q(_RUN_NAME)} ||
    ',"headwater.state-message":' || {_q("coalesce(s.message, '')")} ||
    ',"headwater.state-name":' || {_q("s.name")} ||
    ',"headwater.state-timestamp":"' || {_ISO.format(ts="s.timestamp")} ||
    '","headwater.state-type":' || {_q("s.type")} || '}}'"""
_PAYLOAD = f"""'{{"intended":{{"from":' || {_q("p.type")} || ',"to":' || {_q("s.type")} ||
    '}},"initial_state":' || CASE WHEN p.seq IS NULL THEN 'null' ELSE {_state("p")} END ||
    ',"validated_state":' || {_state("s")} || '}}'"""
_RELATED = f"""'[' || rtrim(
        CASE WHEN s.run_kind = 'task' AND f.id IS NOT NULL
            THEN {_related("'headwater.flow-run.' || f.id", "flow-run", "f.name")} || ','
            ELSE '' END ||
        CASE WHEN pt.id IS NOT NULL
            THEN {_related("'headwater.task-run.' || pt.id", "task-run", "pt.name")} || ','
            ELSE '' END ||
        CASE WHEN f.id IS NOT NULL
            THEN {_related("'headwater.flow.' || f.flow_name", "flow", "f.flow_name")} || ','
            ELSE '' END ||
        CASE WHEN coalesce(t.tags_json, '[]') = '[]' AND coalesce(f.tags_json, '[]') = '[]'
            THEN '' ELSE coalesce({_TAGS}, '') END,
    ',') || ']'"""

#: one event row per state row of this batch (the last `?` state rows)
DERIVE_STATE_EVENTS = f"""
INSERT INTO event_rows (id, event, occurred, state_seq)
SELECT {_EVENT_ID}, 'headwater.' || s.run_kind || '-run.' || s.name, s.timestamp, s.seq
FROM states s
WHERE s.seq > (SELECT max(seq) FROM states) - ?
ORDER BY s.seq
"""

#: every event as readers see it: emitted ones as stored, state changes built in full
EVENTS_VIEW = f"""
CREATE VIEW IF NOT EXISTS events AS
SELECT
    e.seq AS seq, e.id AS id, e.event AS event, e.occurred AS occurred,
    CASE WHEN e.state_seq IS NULL THEN e.resource_json ELSE {_RESOURCE} END AS resource_json,
    CASE WHEN e.state_seq IS NULL THEN e.payload_json ELSE {_PAYLOAD} END AS payload_json,
    CASE WHEN e.state_seq IS NULL THEN e.related_json ELSE {_RELATED} END AS related_json,
    e.follows AS follows
FROM event_rows e
LEFT JOIN states s ON s.seq = e.state_seq
LEFT JOIN task_runs t ON s.run_kind = 'task' AND t.id = s.run_id
LEFT JOIN flow_runs f ON f.id = CASE s.run_kind WHEN 'task' THEN t.flow_run_id ELSE s.run_id END
LEFT JOIN task_runs pt ON s.run_kind = 'flow' AND pt.id = f.parent_task_run_id
LEFT JOIN states p ON p.seq = (
    SELECT max(seq) FROM states WHERE run_id = s.run_id AND seq < s.seq
)
"""


def derive_state_events(conn: sqlite3.Connection, count: int) -> None:
    """Insert the events of the last `count` state rows (inserted in this transaction)."""
    if count:
        conn.execute(DERIVE_STATE_EVENTS, (count,))


def upgrade_events_table(conn: sqlite3.Connection) -> None:
    """Schema 3 -> 4: the `events` table becomes `event_rows` (plus `state_seq`); the
    `events` view, created with the schema, reads it. Its rows are kept as they are."""
    found = conn.execute("SELECT type FROM sqlite_master WHERE name = 'events'").fetchone()
    if found is not None and found[0] == "table":
        conn.execute("ALTER TABLE events RENAME TO event_rows")
        conn.execute("ALTER TABLE event_rows ADD COLUMN state_seq INTEGER")
