"""The server's own additions: applied batch ids (idempotent ingest) and an index for
keyset paging of task runs, newest first.

Revision ID: 0002_server_tables
Revises: 0001_schema_5
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_server_tables"
down_revision = "0001_schema_5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applied_batches",
        sa.Column("batch_id", sa.Text, primary_key=True),
        sa.Column("applied", sa.Float, nullable=False),
    )
    op.create_index("ix_task_runs_created_id", "task_runs", ["created", "id"])


def downgrade() -> None:
    op.drop_index("ix_task_runs_created_id", "task_runs")
    op.drop_table("applied_batches")
