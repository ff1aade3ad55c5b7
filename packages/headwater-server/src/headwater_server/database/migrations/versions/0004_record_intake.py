"""Record intake: client batches a PostgreSQL-backed server has acknowledged (stored
durably, as sent) and applies to the run tables in order right after.

Revision ID: 0004_record_intake
Revises: 0003_server_clients
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_record_intake"
down_revision = "0003_server_clients"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_intake",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("batch_id", sa.Text, nullable=False, unique=True),
        sa.Column("process_id", sa.Integer),
        sa.Column("received", sa.Float, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("failed", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("record_intake")
