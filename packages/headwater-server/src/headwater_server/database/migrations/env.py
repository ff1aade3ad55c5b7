"""Alembic's environment for the server's run history: the connection comes from
`headwater_server.database.migrate` (no alembic.ini, no URL read here)."""

from alembic import context
from headwater_server.database.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
