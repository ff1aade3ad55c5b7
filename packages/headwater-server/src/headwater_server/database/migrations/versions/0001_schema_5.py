"""Baseline: the run history tables of core's schema version 5.

Frozen here (not read from tables.py), so this revision always creates what
schema 5 had. An embedded home created by core already has these tables: it is
stamped at this revision instead (see migrate.upgrade), keeping its rows.

Revision ID: 0001_schema_5
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_schema_5"
down_revision = None
branch_labels = None
depends_on = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_UNFINISHED = (
    "state_type IS NULL OR state_type IN ('SCHEDULED', 'PENDING', 'RUNNING', 'PAUSED', "
    "'CANCELLING')"
)


def _state_columns() -> list[sa.Column]:
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


def _unfinished_index(table: str) -> None:
    where = sa.text(_UNFINISHED)
    op.create_index(
        f"ix_{table}_unfinished", table, ["process_id"], sqlite_where=where, postgresql_where=where
    )


def upgrade() -> None:
    op.create_table(
        "flow_runs",
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
    )
    op.create_index("ix_flow_runs_created", "flow_runs", ["created"])
    op.create_index("ix_flow_runs_flow_name", "flow_runs", ["flow_name", "created"])
    _unfinished_index("flow_runs")
    op.create_table(
        "task_runs",
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
    )
    op.create_index("ix_task_runs_flow_run", "task_runs", ["flow_run_id"])
    _unfinished_index("task_runs")
    op.create_table(
        "states",
        sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Text, nullable=False),
        sa.Column("run_kind", sa.Text, nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("message", sa.Text),
        sa.Column("timestamp", sa.Float, nullable=False),
    )
    op.create_index("ix_states_run", "states", ["run_id"])
    op.create_table(
        "logs",
        sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Text),
        sa.Column("run_kind", sa.Text, nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("timestamp", sa.Float, nullable=False),
        sa.Column("logger", sa.Text),
        sa.Column("run_name", sa.Text),
    )
    op.create_index("ix_logs_run", "logs", ["run_id"])
    op.create_table(
        "event_rows",
        sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("event", sa.Text, nullable=False),
        sa.Column("occurred", sa.Float, nullable=False),
        sa.Column("resource_json", sa.Text),
        sa.Column("payload_json", sa.Text),
        sa.Column("related_json", sa.Text),
        sa.Column("follows", sa.Text),
        sa.Column("state_seq", sa.Integer),
    )


def downgrade() -> None:
    for table in ("event_rows", "logs", "states", "task_runs", "flow_runs"):
        op.drop_table(table)
