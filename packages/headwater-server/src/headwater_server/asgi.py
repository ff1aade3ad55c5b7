"""The ASGI app `headwater server start` serves: guards in front of the lazily built API.

Order, outermost first: the API key check, the body size limit, then `LoadingApp`
(answers /api/health at once, builds FastAPI in a thread). Importing this module
imports neither FastAPI nor pydantic.
"""

from __future__ import annotations

import contextlib
import threading
from functools import partial
from pathlib import Path

from headwater_server.automation_runtime import ServerAutomations
from headwater_server.front import LoadingApp
from headwater_server.guards import (
    MAX_BATCH_BYTES,
    MAX_BODY_BYTES,
    RECORDS_PATH,
    ApiKeyGuard,
    ASGIApp,
    BodyLimit,
)
from headwater_server.ingest import BatchWriter, WriterHolder
from headwater_server.store import HistoryHolder


def create_app(
    home: Path | str, api_key: str | None = None, max_body_bytes: int = MAX_BODY_BYTES
) -> ASGIApp:
    """Serve `home`'s run history under /api; with `api_key`, every call but health needs it."""
    return assemble(home, api_key, max_body_bytes)[0]


def assemble(
    home: Path | str, api_key: str | None = None, max_body_bytes: int = MAX_BODY_BYTES
) -> tuple[ASGIApp, LoadingApp]:
    """The guarded app and the `LoadingApp` inside it (to start loading when listening)."""
    holder = HistoryHolder(Path(home))
    writers = WriterHolder(partial(open_batch_writer, Path(home), holder))
    automations = ServerAutomations(Path(home), holder)

    def build() -> ASGIApp:
        from headwater_server.app import build_api

        _open_database_early(holder, writers)
        api = build_api(holder, writers, automations)
        automations.start()
        return api

    def shutdown() -> None:
        automations.stop()  # its last pass reads the history: before that closes
        writers.close()  # then the applier, which uses the history's engine
        holder.close()

    loader = LoadingApp(build, shutdown)
    from headwater import settings

    batch_limit = settings.get_int("server_max_batch_bytes", MAX_BATCH_BYTES) or MAX_BATCH_BYTES
    app: ASGIApp = BodyLimit(loader, max_body_bytes, {RECORDS_PATH: batch_limit})
    if api_key:
        app = ApiKeyGuard(app, api_key)
    return app, loader


def _open_database_early(holder: HistoryHolder, writers: WriterHolder) -> None:
    """With HEADWATER_DATABASE_URL, connect and migrate in a thread while FastAPI loads
    (Alembic's check takes seconds on a busy machine, and clients' first batches would
    wait for it), and start applying batches a killed server had acknowledged. A
    failure is left for the first request to report (with the fix)."""
    from headwater import settings

    if not settings.get("database_url"):
        return

    def connect() -> None:
        with contextlib.suppress(Exception):
            holder.get()
            writers.get()

    threading.Thread(target=connect, name="database-opener", daemon=True).start()


def open_batch_writer(home: Path, history: HistoryHolder | None = None) -> BatchWriter:
    """The store client batches go into: the database at HEADWATER_DATABASE_URL when set
    (sharing `history`'s engine and pool), else the embedded SQLite store of `home`."""
    from headwater import settings

    url = settings.get("database_url")
    if url:
        from headwater_server.database.batch_writer import DatabaseBatchWriter
        from headwater_server.database.run_store import SQLAlchemyRunStore
        from headwater_server.ingest_routes import decode_records

        shared = history.get() if history is not None else None
        if isinstance(shared, SQLAlchemyRunStore):
            writer = DatabaseBatchWriter(shared, decode=decode_records)
        else:
            from headwater_server.database.open import open_database

            writer = DatabaseBatchWriter(open_database(url), owns_store=True, decode=decode_records)
        if history is not None:
            history.read_barrier = writer.wait_applied  # reads see what was acknowledged
        return writer
    from headwater_server.ingest_sqlite import SQLiteBatchWriter

    return SQLiteBatchWriter(home)
