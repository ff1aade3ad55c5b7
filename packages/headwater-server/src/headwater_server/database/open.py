"""Opening the server's database: migrated to the newest revision first, as Prefect's
server migrates its database on start."""

from __future__ import annotations

from headwater_server.database.run_store import SQLAlchemyRunStore

__all__ = ["open_database"]


def open_database(url: str) -> SQLAlchemyRunStore:
    """The run store at `url`, its tables created or upgraded (RunStoreError names the fix)."""
    import sqlalchemy as sa

    from headwater_server.database.migrate import upgrade
    from headwater_server.database.urls import explain

    store = SQLAlchemyRunStore(url)
    try:
        upgrade(store.engine)
    except sa.exc.SQLAlchemyError as exc:
        store.close()
        raise explain(exc, url) from None
    return store
