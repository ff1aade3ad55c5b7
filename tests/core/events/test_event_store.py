"""How events are stored: a schema 3 home upgrades in place, and the events view reads all."""

from __future__ import annotations

import sqlite3

from headwater import flow
from headwater.history.sqlite import SCHEMA_VERSION, SQLiteRunStore, schema_statements


def _schema_3(db) -> None:
    """The tables as schema 3 had them: events a table with its JSON, no view."""
    conn = sqlite3.connect(db)
    for statement in schema_statements():
        if statement.startswith("CREATE VIEW"):
            continue
        statement = statement.replace("event_rows", "events").replace(
            ",\n    state_seq     INTEGER", ""
        )
        conn.execute(statement)
    conn.execute(
        "INSERT INTO events (id, event, occurred, resource_json, payload_json, related_json) "
        "VALUES ('0b4e0c0e-0000-4000-8000-000000000001', 'data.loaded', 1.0, "
        "'{\"prefect.resource.id\": \"warehouse\"}', '{\"rows\": 3}', '[]')"
    )
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()


def test_a_schema_3_home_keeps_its_events_and_gains_state_events(headwater_home) -> None:
    _schema_3(headwater_home / "headwater.db")

    @flow
    def after_upgrade() -> int:
        return 1

    store = SQLiteRunStore(headwater_home)
    try:
        (old,) = store.read_events(where=("event = 'data.loaded'", []))
        assert old["resource"] == {"prefect.resource.id": "warehouse"}
        assert old["payload"] == {"rows": 3} and old["seq"] == 1
    finally:
        store.close()
    after_upgrade()  # records into the upgraded home (the test's store)
    from headwater.history import get_store

    store2 = get_store()
    store2.flush()
    names = [e["event"] for e in store2.read_events(limit=None, oldest_first=True)]
    assert names == [
        "data.loaded",
        "headwater.flow-run.Pending",
        "headwater.flow-run.Running",
        "headwater.flow-run.Completed",
    ]
    conn = sqlite3.connect(headwater_home / "headwater.db")
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        kinds = dict(conn.execute("SELECT name, type FROM sqlite_master WHERE name LIKE 'event%'"))
        assert kinds == {"events": "view", "event_rows": "table"}
    finally:
        conn.close()


def test_state_events_store_a_reference_and_read_in_full(headwater_home) -> None:
    @flow(name="tiny")
    def tiny() -> int:
        return 1

    tiny()
    from headwater.history import get_store

    store = get_store()
    store.flush()
    conn = sqlite3.connect(headwater_home / "headwater.db")
    try:
        stored = conn.execute(
            "SELECT resource_json, payload_json, related_json, state_seq FROM event_rows"
        ).fetchall()
    finally:
        conn.close()
    assert len(stored) == 3
    assert all(r[:3] == (None, None, None) and r[3] for r in stored)
    done = store.read_events(limit=1)[0]
    assert done["event"] == "headwater.flow-run.Completed"
    assert done["resource"]["headwater.state-type"] == "COMPLETED"
    assert done["related"][0]["headwater.resource.id"] == "headwater.flow.tiny"
