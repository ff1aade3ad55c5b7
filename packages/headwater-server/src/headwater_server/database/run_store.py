"""`SQLAlchemyRunStore`: run history in a database server (PostgreSQL), or any SQLAlchemy URL.

It answers core's `RunHistory` with the same dicts as the embedded store, and
takes client batches (`write_batch`, the ingest route's `BatchWriter`): one
transaction per batch, applied at most once per batch id. Connections come
from a pool; every error names the database with its password masked.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from headwater.exceptions import RunStoreError
from headwater.history.base import RunHistory

from headwater_server.database import tables as t
from headwater_server.database.urls import explain, masked

if TYPE_CHECKING:
    from headwater.history.records import Event, FlowRun, LogEntry, StateChange, TaskRun
    from sqlalchemy.engine import Connection, Engine

__all__ = ["SQLAlchemyRunStore"]

_T = TypeVar("_T")
_JSON = {"parameters_json": "parameters", "tags_json": "tags", "task_inputs_json": "task_inputs",
         "resource_json": "resource", "payload_json": "payload", "related_json": "related"}  # fmt: skip


def _plain(row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column, value in row._mapping.items():
        key = _JSON.get(column)
        if key is None:
            out[column] = value
        else:
            out[key] = json.loads(value) if value else None
    return out


def _run(row: Any) -> dict[str, Any]:
    """A run as the embedded store reads it (run_count at least its RUNNING states)."""
    run = _plain(row)
    running = run.pop("running_count", 0) or 0
    run["run_count"] = max(run.get("run_count") or 0, running)
    start, end = run.get("start_time"), run.get("end_time")
    run["duration"] = end - start if start is not None and end is not None else None
    return run


def _state_filter(table: sa.Table, state: str | None) -> list[Any]:
    if not state:
        return []
    wanted = state.strip().replace(" ", "").replace("_", "").lower()
    return [
        sa.or_(
            sa.func.lower(table.c.state_type) == wanted,
            sa.func.lower(sa.func.replace(table.c.state_name, " ", "")) == wanted,
        )
    ]


def _unstorable(*values: str | None) -> bool:
    """True if a value holds a NUL character, which PostgreSQL text never does: no row
    can match it (and PostgreSQL would refuse the query)."""
    return any(value is not None and "\x00" in value for value in values)


def _limited(stmt: Any, limit: int | None) -> Any:
    return stmt.limit(limit) if limit is not None and limit >= 0 else stmt


class SQLAlchemyRunStore(RunHistory):
    """Run history in the database at `url` (e.g. postgresql+psycopg://user:pw@host/db)."""

    def __init__(self, url: str, *, pool_size: int = 5) -> None:
        self._url = url
        #: the URL as it may be shown: password masked
        self.url = masked(url)
        try:
            options: dict[str, Any] = {"pool_pre_ping": True}
            if not url.startswith("sqlite"):
                options |= {"pool_size": pool_size, "max_overflow": 2 * pool_size}
            self.engine: Engine = sa.create_engine(url, **options)
        except Exception as exc:  # a bad URL or a missing driver: name the fix
            raise explain(exc, url) from None

    def __repr__(self) -> str:
        return f"SQLAlchemyRunStore({self.url!r})"

    # --- plumbing -------------------------------------------------------------------
    @contextmanager
    def _connect(self, write: bool = False) -> Iterator[Connection]:
        try:
            with self.engine.begin() if write else self.engine.connect() as connection:
                yield connection
        except sa.exc.SQLAlchemyError as exc:
            raise explain(exc, self._url) from None

    def _rows(self, stmt: Any, convert: Callable[[Any], _T]) -> list[_T]:
        with self._connect() as connection:
            return [convert(row) for row in connection.execute(stmt)]

    def check_schema(self) -> None:
        """Raise RunStoreError unless the database is at the newest migration."""
        from headwater_server.database.migrate import current_revision, head_revision

        with self._connect() as connection:
            found = current_revision(connection)
        if found != head_revision():
            raise RunStoreError(
                f"the run history database {self.url} is at migration {found or 'none'}, "
                f"this server needs {head_revision()}; run: headwater server database upgrade"
            )

    def close(self) -> None:
        self.engine.dispose()

    # --- write side: client batches -------------------------------------------------
    def write_batch(
        self,
        batch_id: str,
        flow_runs: list[FlowRun],
        task_runs: list[TaskRun],
        states: list[StateChange],
        logs: list[LogEntry],
        events: list[Event],
    ) -> bool:
        """Commit one batch before returning; False when `batch_id` was applied before."""
        from headwater_server.database.writes import write_batch

        with self._connect(write=True) as connection:
            return write_batch(connection, batch_id, flow_runs, task_runs, states, logs, events)

    # --- runs -----------------------------------------------------------------------
    def _by_id(self, table: sa.Table, run_id: str) -> dict[str, Any] | None:
        if _unstorable(run_id):
            return None
        runs = self._rows(sa.select(table).where(table.c.id == run_id), _run)
        if not runs and run_id:
            prefix = table.c.id.startswith(run_id, autoescape=True)
            runs = self._rows(sa.select(table).where(prefix).limit(2), _run)
        return runs[0] if len(runs) == 1 else None

    def read_flow_runs(
        self, state: str | None = None, flow_name: str | None = None, limit: int = 50
    ) -> list[dict[str, Any]]:
        if _unstorable(state, flow_name):
            return []
        f = t.flow_runs
        where = _state_filter(f, state)
        if flow_name:
            where.append(f.c.flow_name == flow_name)
        stmt = sa.select(f).where(*where).order_by(f.c.created.desc(), f.c.id.desc())
        return self._rows(_limited(stmt, limit), _run)

    def read_flow_run(self, run_id: str) -> dict[str, Any] | None:
        return self._by_id(t.flow_runs, run_id)

    def read_task_runs(
        self,
        flow_run_id: str | None = None,
        state: str | None = None,
        limit: int | None = None,
        *,
        before: tuple[float, str] | None = None,
    ) -> list[dict[str, Any]]:
        """Newest first. `before`: the (created, id) of the last run of the previous page,
        to read the next page by key (as fast at page 500 as at page 1), not by offset."""
        if _unstorable(flow_run_id, state, before[1] if before else None):
            return []
        r = t.task_runs
        where = _state_filter(r, state)
        if flow_run_id is not None:
            where.append(r.c.flow_run_id == flow_run_id)
        if before is not None:
            where.append(sa.tuple_(r.c.created, r.c.id) < sa.tuple_(*before))
        stmt = sa.select(r).where(*where).order_by(r.c.created.desc(), r.c.id.desc())
        return self._rows(_limited(stmt, limit), _run)

    def read_task_run(self, run_id: str) -> dict[str, Any] | None:
        return self._by_id(t.task_runs, run_id)

    def find_runs(self, kind: str, ref: str, limit: int = 20) -> list[dict[str, Any]]:
        """Runs that `ref` may mean (id, id prefix, id suffix or name), newest first."""
        if not ref or _unstorable(ref):
            return []
        table = t.flow_runs if kind == "flow" else t.task_runs
        c = table.c
        match = sa.or_(
            c.id.startswith(ref, autoescape=True),
            c.id.endswith(ref, autoescape=True),
            c.name == ref,
        )
        stmt = sa.select(table).where(match).order_by(c.created.desc(), c.id.desc()).limit(limit)
        return self._rows(stmt, _run)

    def count_task_runs(self, flow_run_id: str | None = None) -> int:
        if _unstorable(flow_run_id):
            return 0
        r = t.task_runs
        stmt = sa.select(sa.func.count()).select_from(r)
        if flow_run_id is not None:
            stmt = stmt.where(r.c.flow_run_id == flow_run_id)
        with self._connect() as connection:
            return int(connection.execute(stmt).scalar_one())

    # --- states, logs, events ------------------------------------------------------------
    def read_states(self, run_id: str) -> list[dict[str, Any]]:
        if _unstorable(run_id):
            return []
        s = t.states
        columns = (s.c.run_id, s.c.run_kind, s.c.type, s.c.name, s.c.message, s.c.timestamp)
        stmt = sa.select(*columns).where(s.c.run_id == run_id).order_by(s.c.seq)
        return self._rows(stmt, _plain)

    def read_logs(self, run_id: str, include_task_runs: bool = True) -> list[dict[str, Any]]:
        if _unstorable(run_id):
            return []
        lg, r = t.logs, t.task_runs
        columns = [lg.c[n] for n in ("run_id", "run_kind", "level", "message", "timestamp",
                                     "logger", "run_name", "seq")]  # fmt: skip
        query: Any = sa.select(*columns).where(lg.c.run_id == run_id)
        if include_task_runs:
            theirs = sa.select(*columns).join_from(r, lg, lg.c.run_id == r.c.id)
            query = sa.union_all(query, theirs.where(r.c.flow_run_id == run_id))
        both = query.subquery()
        stmt = sa.select(both).order_by(both.c.timestamp, both.c.seq)
        out = self._rows(stmt, _plain)
        for entry in out:
            entry.pop("seq", None)
        return out

    def read_events(
        self,
        limit: int | None = 100,
        *,
        after: int | None = None,
        since: float | None = None,
        until: float | None = None,
        where: tuple[str, list[Any]] | None = None,
        oldest_first: bool = False,
    ) -> list[dict[str, Any]]:
        """Events newest first (or oldest first), each with its `seq` (a cursor: `after=`)."""
        e = t.event_rows
        columns = [e.c[n] for n in ("seq", "id", "event", "occurred", "resource_json",
                                    "payload_json", "related_json", "follows")]  # fmt: skip
        stmt = sa.select(*columns)
        for column, value, test in ((e.c.seq, after, "gt"), (e.c.occurred, since, "ge"),
                                    (e.c.occurred, until, "le")):  # fmt: skip
            if value is not None:
                stmt = stmt.where(getattr(column, f"__{test}__")(value))
        if where is not None and self.engine.dialect.name != "sqlite":
            return [_plain_event(row) for row in self._filtered(stmt, where, limit, oldest_first)]
        if where is not None:
            stmt = stmt.where(sa.text(_named(where[0]))).params(
                {f"w{i}": v for i, v in enumerate(where[1])}
            )
        stmt = stmt.order_by(e.c.seq if oldest_first else e.c.seq.desc())
        return self._rows(_limited(stmt, limit), _plain)

    def _filtered(
        self, stmt: Any, where: tuple[str, list[Any]], limit: int | None, oldest_first: bool
    ) -> list[Any]:
        """Events `where` (an SQLite condition) accepts, tested chunk by chunk (event_where)."""
        from headwater_server.database.event_where import matching_rows

        seq = t.event_rows.c.seq

        def read_chunk(cursor: int | None, size: int) -> list[Any]:
            chunk = (
                stmt
                if cursor is None
                else stmt.where(seq > cursor if oldest_first else seq < cursor)
            )
            chunk = chunk.order_by(seq if oldest_first else seq.desc()).limit(size)
            with self._connect() as connection:
                return [tuple(row) for row in connection.execute(chunk)]

        return matching_rows(read_chunk, where, limit)

    def event_rows_after(self, after: int, limit: int) -> list[tuple[Any, ...]]:
        """Raw event rows after seq `after`, oldest first, as the automation evaluator
        reads them: (seq, id, event, occurred, resource_json, payload_json, related_json)."""
        e = t.event_rows
        columns = [e.c[n] for n in ("seq", "id", "event", "occurred", "resource_json",
                                    "payload_json", "related_json")]  # fmt: skip
        stmt = sa.select(*columns).where(e.c.seq > after).order_by(e.c.seq).limit(limit)
        return self._rows(stmt, tuple)

    def last_event_seq(self) -> int:
        with self._connect() as connection:
            found = connection.execute(sa.select(sa.func.max(t.event_rows.c.seq))).scalar()
        return int(found or 0)


_EVENT_COLUMNS = ("seq", "id", "event", "occurred", "resource", "payload", "related", "follows")


def _plain_event(row: Any) -> dict[str, Any]:
    """An event row tuple as `read_events` returns it (JSON columns decoded)."""
    out = dict(zip(_EVENT_COLUMNS, row, strict=True))
    for key in ("resource", "payload", "related"):
        out[key] = json.loads(out[key]) if out[key] else None
    return out


def _named(sql: str) -> str:
    """`?` placeholders as :w0, :w1 ... (SQLAlchemy's text() binds by name)."""
    parts = sql.split("?")
    return "".join(p + (f":w{i}" if i < len(parts) - 1 else "") for i, p in enumerate(parts))
