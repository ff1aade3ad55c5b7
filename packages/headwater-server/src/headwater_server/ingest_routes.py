"""`POST /api/records`: clients record flow runs, task runs, states, logs and events here.

The body is one batch (see `RecordBatch`); states and logs are arrays in the field
order of core's `StateChange` / `LogEntry` (cheap to send by the thousand), the rest
objects with those records' field names. The answer is 200 `{"applied": true}` once
the batch is committed, `{"applied": false}` if that batch id was applied before
(the client resent it: nothing is written twice), 422 naming the bad field, 413 over
the size limit (`guards`), 503 if the database cannot take it now (the client retries).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, HTTPException, Request
from headwater.exceptions import RunStoreError
from headwater.history.records import Event, FlowRun, LogEntry, StateChange, TaskRun
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from headwater_server.ingest import (
    DEFAULT_CLIENT_TIMEOUT,
    BatchWriter,
    ClientInfo,
    Records,
    StagingWriter,
    WriterHolder,
)

__all__ = ["RecordBatch", "decode_records", "enable_ingest", "ingest_router", "start_sweeper"]

_Kind = Literal["flow", "task"]
#: run_id, run_kind, type, name, message, timestamp
StateRow = tuple[str, _Kind, str, str, str | None, float]
#: run_id, run_kind, level, message, timestamp, logger, run_name
LogRow = tuple[str | None, _Kind, int, str, float, str | None, str | None]
_ROW_FIELDS = {"states": StateChange._fields, "logs": LogEntry._fields}


class ClientIn(BaseModel):
    id: str = Field(min_length=1, max_length=64, description="unique per client process")
    pid: int
    hostname: str = Field(max_length=255)
    alive_at: float = Field(description="when the batch was made (epoch seconds)")


class FlowRunIn(BaseModel):
    id: str
    name: str
    flow_name: str
    flow_version: str | None = None
    parameters: dict[str, Any] = Field(default_factory=dict)
    tags: list[Any] = Field(default_factory=list)
    parent_task_run_id: str | None = None
    root_flow_run_id: str | None = None
    created: float = 0.0
    run_count: int = 0


class TaskRunIn(BaseModel):
    id: str
    name: str
    task_key: str
    flow_run_id: str | None = None
    dynamic_key: str = "0"
    task_inputs: dict[str, list[str]] = Field(default_factory=dict)
    tags: list[Any] = Field(default_factory=list)
    created: float = 0.0
    run_count: int = 0
    cache_key: str | None = None


class EventIn(BaseModel):
    id: str
    event: str
    occurred: float
    resource: dict[str, Any]
    payload: dict[str, Any] = Field(default_factory=dict)
    related: list[dict[str, Any]] = Field(default_factory=list)
    follows: str | None = None


class RecordBatch(BaseModel):
    """One client batch. A batch with no `batch_id` and no records is a heartbeat."""

    batch_id: str | None = Field(default=None, min_length=1, max_length=128)
    client: ClientIn | None = None
    flow_runs: list[FlowRunIn] = Field(default_factory=list)
    task_runs: list[TaskRunIn] = Field(default_factory=list)
    states: list[StateRow] = Field(default_factory=list)
    logs: list[LogRow] = Field(default_factory=list)
    events: list[EventIn] = Field(default_factory=list)


def _where(loc: tuple[Any, ...]) -> str:
    """('states', 3, 5) -> 'states[3].timestamp'."""
    text = ""
    for i, part in enumerate(loc):
        if isinstance(part, int):
            fields = _ROW_FIELDS.get(str(loc[0])) if i == 2 else None
            if fields is not None and part < len(fields):
                text += f".{fields[part]}"
            else:
                text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _parse(body: bytes) -> RecordBatch:
    try:
        return RecordBatch.model_validate_json(body)
    except ValidationError as exc:
        problems = []
        for error in exc.errors()[:20]:
            if error["type"] == "json_invalid":
                problems.append("the request body is not valid JSON; send one batch object")
                continue
            problems.append(f"{_where(tuple(error['loc']))}: {error['msg']}")
        raise HTTPException(422, "; ".join(problems) or "invalid batch") from None


# Field by field rather than through model_dump(): a batch holds thousands of runs.
def _flow_run(r: FlowRunIn) -> FlowRun:
    return FlowRun(r.id, r.name, r.flow_name, r.flow_version, r.parameters, tuple(r.tags),
                   r.parent_task_run_id, r.root_flow_run_id, r.created, r.run_count)  # fmt: skip


def _task_run(r: TaskRunIn) -> TaskRun:
    return TaskRun(r.id, r.name, r.task_key, r.flow_run_id, r.dynamic_key, r.task_inputs,
                   tuple(r.tags), r.created, r.run_count, r.cache_key)  # fmt: skip


def _event(r: EventIn) -> Event:
    return Event(r.id, r.event, r.occurred, r.resource, r.payload, r.related, r.follows)


def _records(batch: RecordBatch) -> Records:
    return Records(
        [_flow_run(r) for r in batch.flow_runs],
        [_task_run(r) for r in batch.task_runs],
        [StateChange(*row) for row in batch.states],
        [LogEntry(*row[:5], row[5] or "", row[6] or "") for row in batch.logs],
        [_event(r) for r in batch.events],
    )


def decode_records(body: bytes) -> Records:
    """The records of a batch body as this route accepted it (for a staged batch)."""
    return _records(_parse(body))


def _apply(
    writer: BatchWriter,
    body: bytes,
    heartbeat_every: float,
    on_events: Callable[[], None] | None = None,
) -> dict[str, Any]:
    batch = _parse(body)
    client = None if batch.client is None else ClientInfo(**batch.client.model_dump())
    counts = [len(batch.flow_runs), len(batch.task_runs), len(batch.states), len(batch.logs),
              len(batch.events)]  # fmt: skip
    if batch.batch_id is None:
        if any(counts):
            raise HTTPException(422, "batch_id: required when the batch holds records")
        if client is None:
            raise HTTPException(422, "client: required in a heartbeat (a batch with no records)")
        writer.heartbeat(client)
        return {"batch_id": None, "applied": False, "heartbeat_every": heartbeat_every}
    wake = on_events if (batch.states or batch.events) else None  # every state is an event
    if isinstance(writer, StagingWriter) and writer.staging:
        applied = writer.stage(batch.batch_id, client, body, wake)
    else:
        applied = writer.write_batch(batch.batch_id, *_records(batch), client=client)
        if applied and wake is not None:
            wake()
    return {"batch_id": batch.batch_id, "applied": applied, "heartbeat_every": heartbeat_every}


def ingest_router(
    writer: Callable[[], BatchWriter],
    client_timeout: float = DEFAULT_CLIENT_TIMEOUT,
    on_events: Callable[[], None] | None = None,
) -> APIRouter:
    """The route; answers tell clients how often to send a heartbeat while idle (a fifth
    of `client_timeout`, so a live client is never taken for a silent one). `on_events`
    is called after a committed batch that held states or events."""
    router = APIRouter()
    heartbeat_every = max(0.5, client_timeout / 5)

    @router.post("/records", tags=["Records"])
    async def write_records(request: Request) -> dict[str, Any]:
        """Record one batch of a client's run records (see RecordBatch); answers once the
        batch is committed. A batch id seen before is acknowledged without writing again."""
        body = await request.body()
        try:
            return await run_in_threadpool(_apply, writer(), body, heartbeat_every, on_events)
        except (sqlite3.Error, RunStoreError) as exc:
            raise HTTPException(503, f"the run history cannot take records now ({exc})") from None

    return router


def enable_ingest(
    app: FastAPI, writers: WriterHolder, home: Path, on_events: Callable[[], None] | None = None
) -> None:
    """Add POST /api/records to `app`, and the thread that judges silent clients;
    `on_events` (the automation evaluator's wake) after each batch with states or events."""
    from headwater import settings

    timeout = settings.get_float("server_client_timeout", DEFAULT_CLIENT_TIMEOUT)
    timeout = timeout or DEFAULT_CLIENT_TIMEOUT
    app.include_router(ingest_router(writers.get, timeout, on_events), prefix="/api")

    @app.get("/api/records/backlog", tags=["Records"])
    def backlog() -> dict[str, int]:
        """Client batches acknowledged but not yet applied to the run tables (`staged`;
        PostgreSQL only, see the docs' Recording section) and batches that could not be
        applied (`failed`, kept in the database's record_intake table with the reason);
        `waited_for`: those this server acknowledged, which its reads wait for."""
        current = writers.opened()
        if current is None and settings.get("database_url"):
            current = writers.get()  # opens the database and starts applying what waits
        if isinstance(current, StagingWriter) and current.staging:
            return current.backlog()
        return {"staged": 0, "failed": 0, "waited_for": 0}

    database = home / "headwater.db"

    def writer() -> BatchWriter | None:
        # the server's home is left untouched until some process created its database
        ready = database.exists() or bool(settings.get("database_url"))
        return writers.opened() or (writers.get() if ready else None)

    start_sweeper(writer, timeout, threading.Event())


def start_sweeper(
    writer: Callable[[], BatchWriter | None], client_timeout: float, stop: threading.Event
) -> threading.Thread:
    """A daemon thread marking silent clients' runs Crashed every `client_timeout / 4` s."""
    logger = logging.getLogger("headwater.server")

    def run() -> None:
        while not stop.wait(max(1.0, client_timeout / 4)):
            try:
                current = writer()
                marked = 0 if current is None else current.sweep_silent(client_timeout)
            except Exception:  # the next round tries again
                logger.exception("could not check for silent clients")
                continue
            if marked:
                logger.warning("marked %d runs of silent clients Crashed", marked)

    thread = threading.Thread(target=run, name="client-sweeper", daemon=True)
    thread.start()
    return thread
