"""The run history schema as SQLAlchemy Core tables, for PostgreSQL and SQLite alike.

The columns are core's `history/schema.sql` (schema version 5) column for column,
so a server on PostgreSQL and the embedded store of a HEADWATER_HOME hold the same
rows (a test compares them with SQLite's `PRAGMA table_info`). `SERVER_TABLES` are
the server's own, with no counterpart in core: `applied_batches` (the ids of the
batches it wrote, so a client's retry of a batch is not applied twice) and
`server_clients` (the client processes recording through it; core's `processes`
plays that part in an embedded home).
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = ["HISTORY_TABLES", "SERVER_TABLES", "metadata"]

metadata = sa.MetaData()

#: PostgreSQL: BIGINT identity; SQLite: INTEGER PRIMARY KEY (the rowid), as core has it
_Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_UNFINISHED = (
    "state_type IS NULL OR state_type IN ('SCHEDULED', 'PENDING', 'RUNNING', 'PAUSED', "
    "'CANCELLING')"
)


def _state_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("state_type", sa.Text),
        sa.Column("state_name", sa.Text),
        sa.Column("state_message", sa.Text),
        sa.Column("state_timestamp", sa.Float),
        sa.Column("start_time", sa.Float),
        sa.Column("end_time", sa.Float),
        sa.Column("run_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("running_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("process_id", sa.Integer),
    ]


def _unfinished_index(table: str) -> sa.Index:
    where = sa.text(_UNFINISHED)
    return sa.Index(
        f"ix_{table}_unfinished", "process_id", sqlite_where=where, postgresql_where=where
    )


flow_runs = sa.Table(
    "flow_runs",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("flow_name", sa.Text, nullable=False),
    sa.Column("flow_version", sa.Text),
    sa.Column("parameters_json", sa.Text),
    sa.Column("tags_json", sa.Text),
    sa.Column("parent_task_run_id", sa.Text),
    sa.Column("root_flow_run_id", sa.Text),
    sa.Column("created", sa.Float),
    *_state_columns(),
    sa.Index("ix_flow_runs_created", "created"),
    sa.Index("ix_flow_runs_flow_name", "flow_name", "created"),
    _unfinished_index("flow_runs"),
)

task_runs = sa.Table(
    "task_runs",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("task_key", sa.Text, nullable=False),
    sa.Column("flow_run_id", sa.Text),
    sa.Column("dynamic_key", sa.Text),
    sa.Column("task_inputs_json", sa.Text),
    sa.Column("tags_json", sa.Text),
    sa.Column("cache_key", sa.Text),
    sa.Column("created", sa.Float),
    *_state_columns(),
    sa.Index("ix_task_runs_flow_run", "flow_run_id"),
    sa.Index("ix_task_runs_created_id", "created", "id"),  # keyset paging, newest first
    _unfinished_index("task_runs"),
)

states = sa.Table(
    "states",
    metadata,
    sa.Column("seq", _Seq, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Text, nullable=False),
    sa.Column("run_kind", sa.Text, nullable=False),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("message", sa.Text),
    sa.Column("timestamp", sa.Float, nullable=False),
    sa.Index("ix_states_run", "run_id"),
)

logs = sa.Table(
    "logs",
    metadata,
    sa.Column("seq", _Seq, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Text),
    sa.Column("run_kind", sa.Text, nullable=False),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("timestamp", sa.Float, nullable=False),
    sa.Column("logger", sa.Text),
    sa.Column("run_name", sa.Text),
    sa.Index("ix_logs_run", "run_id"),
)

event_rows = sa.Table(
    "event_rows",
    metadata,
    sa.Column("seq", _Seq, primary_key=True, autoincrement=True),
    sa.Column("id", sa.Text, nullable=False),
    sa.Column("event", sa.Text, nullable=False),
    sa.Column("occurred", sa.Float, nullable=False),
    sa.Column("resource_json", sa.Text),
    sa.Column("payload_json", sa.Text),
    sa.Column("related_json", sa.Text),
    sa.Column("follows", sa.Text),
    sa.Column("state_seq", sa.Integer),
)

applied_batches = sa.Table(
    "applied_batches",
    metadata,
    sa.Column("batch_id", sa.Text, primary_key=True),
    sa.Column("applied", sa.Float, nullable=False),
)

server_clients = sa.Table(
    "server_clients",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    #: the client's own id: a fresh uuid per process start (`ClientInfo.id`)
    sa.Column("client", sa.Text, nullable=False, unique=True),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("hostname", sa.Text, nullable=False),
    sa.Column("started", sa.Float, nullable=False),
    sa.Column("last_seen", sa.Float, nullable=False),
)

#: client batches a PostgreSQL-backed server has acknowledged but not yet applied to the
#: tables above (see `intake`); `failed` names why a batch could not be applied
record_intake = sa.Table(
    "record_intake",
    metadata,
    sa.Column("seq", _Seq, primary_key=True, autoincrement=True),
    sa.Column("batch_id", sa.Text, nullable=False, unique=True),
    sa.Column("process_id", sa.Integer),
    sa.Column("received", sa.Float, nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("failed", sa.Text),
)

#: the tables core's schema.sql also has (the drift test compares these)
HISTORY_TABLES = ("flow_runs", "task_runs", "states", "logs", "event_rows")
#: the server's own tables (no counterpart in core's schema; the drift test skips them)
SERVER_TABLES = ("applied_batches", "server_clients", "record_intake")
