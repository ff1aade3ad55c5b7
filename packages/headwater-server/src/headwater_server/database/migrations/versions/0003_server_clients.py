"""Server clients: one row per client process recording through `POST /api/records`,
which its runs' `process_id` points at, with the moment it was last known alive (a
silent client's unfinished runs are marked Crashed as of then).

Revision ID: 0003_server_clients
Revises: 0002_server_tables
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_server_clients"
down_revision = "0002_server_tables"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "server_clients",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client", sa.Text, nullable=False, unique=True),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("hostname", sa.Text, nullable=False),
        sa.Column("started", sa.Float, nullable=False),
        sa.Column("last_seen", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("server_clients")
