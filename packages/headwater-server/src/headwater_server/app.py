"""The FastAPI application: read-only routes over a home's run history, under /api.

Route paths and filter bodies are Prefect's (`POST /api/flow_runs/filter`, ...), so
a Prefect API user finds them where they expect. Every error is a 4xx with a
`detail` that says what was wrong; a store that cannot be read is a 503.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from headwater.exceptions import RunStoreError
from headwater.history import RunHistory

from headwater_server import __version__, models, reads, shapes
from headwater_server.automation_runtime import ServerAutomations
from headwater_server.automation_writes import automation_write_routes
from headwater_server.block_storage import BlockStorageHolder, block_storage_routes
from headwater_server.filters import FlowRunQuery, LogQuery, TaskRunQuery
from headwater_server.ingest import WriterHolder
from headwater_server.ingest_routes import enable_ingest
from headwater_server.store import HistoryHolder

#: the API version /api/version answers (Prefect answers its SERVER_API_VERSION)
API_VERSION = "0.1.0"


def build_api(
    holder: HistoryHolder,
    writers: WriterHolder | None = None,
    automations: ServerAutomations | None = None,
) -> FastAPI:
    """The FastAPI app over `holder`'s history (no API key or size guard: see `asgi`);
    with `writers`, clients can record into it too (POST /api/records), waking
    `automations` after each committed batch."""
    app = FastAPI(
        title="headwater server",
        version=__version__,
        description="REST API over the run history of a HEADWATER_HOME.",
    )
    app.include_router(_routes(holder), prefix="/api")
    app.include_router(block_storage_routes(BlockStorageHolder(holder.home)), prefix="/api")
    app.include_router(automation_write_routes(holder.home), prefix="/api")
    if writers is not None:
        enable_ingest(app, writers, holder.home, automations.wake if automations else None)
    _more_routes(app, holder)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(RunStoreError, _store_unreadable)
    return app


def _more_routes(app: FastAPI, holder: HistoryHolder) -> None:
    """Events, blocks, automations, flows, state histories and task-run pages."""
    from headwater_server import blocks, events, run_reads
    from headwater_server.home_tables import HomeTables

    tables = HomeTables(holder.home)
    app.include_router(events.router(holder.get), prefix="/api")
    app.include_router(blocks.router(blocks.BlockReads(tables)), prefix="/api")
    app.include_router(run_reads.router(holder.get, tables), prefix="/api")


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    """422 naming each bad field: `body.flow_runs.id.any_: Input should be a valid list`."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    problems = []
    for error in errors:
        loc = error.get("loc", ())
        if error.get("type") == "json_invalid":
            reason = (error.get("ctx") or {}).get("error", "JSON decode error")
            at = f" at character {loc[1]}" if len(loc) > 1 else ""
            problems.append(f"the request body is not valid JSON ({reason}{at}); send an object")
            continue
        where = ".".join(str(part) for part in loc)
        problems.append(f"{where}: {error.get('msg')}")
    return JSONResponse(
        status_code=422,
        content={"detail": "; ".join(problems) or "invalid request", "errors": _plain(errors)},
    )


def _plain(errors: Any) -> list[dict[str, Any]]:
    """The validation errors without pydantic's `input`/`ctx` (which may be huge)."""
    return [{k: e[k] for k in ("type", "loc", "msg") if k in e} for e in errors]


async def _store_unreadable(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=503, content={"detail": str(exc)})


def _not_found(kind: str, run_id: str) -> HTTPException:
    return HTTPException(
        404, f"{kind} {run_id!r} not found in this server's run history (check the full id)"
    )


def _routes(holder: HistoryHolder) -> APIRouter:
    router = APIRouter()

    def history() -> RunHistory:
        return holder.get()

    @router.get("/health", tags=["Root"])
    def health() -> bool:
        """True while the server answers (open even when an API key is set)."""
        return True

    @router.get("/version", tags=["Root"])
    def version() -> str:
        """The server's API version."""
        return API_VERSION

    @router.post("/flow_runs/filter", tags=["Flow Runs"], response_model=list[models.FlowRun])
    def read_flow_runs(query: FlowRunQuery | None = None) -> list[dict[str, Any]]:
        """Flow runs matching the filters, sorted and paged (limit at most 200)."""
        return reads.flow_runs(history(), query or FlowRunQuery())

    @router.post("/flow_runs/count", tags=["Flow Runs"])
    def count_flow_runs(query: FlowRunQuery | None = None) -> int:
        """How many flow runs match the filters (limit and offset are ignored)."""
        return reads.count_flow_runs(history(), query or FlowRunQuery())

    @router.get("/flow_runs/{id}", tags=["Flow Runs"], response_model=models.FlowRun)
    def read_flow_run(id: str) -> dict[str, Any]:
        """One flow run by its full id."""
        row = history().read_flow_run(id)
        if row is None or row["id"] != id:
            raise _not_found("flow run", id)
        return shapes.run(row)

    @router.post("/task_runs/filter", tags=["Task Runs"], response_model=list[models.TaskRun])
    def read_task_runs(query: TaskRunQuery | None = None) -> list[dict[str, Any]]:
        """Task runs matching the filters, sorted and paged (limit at most 200)."""
        return reads.task_runs(history(), query or TaskRunQuery())

    @router.post("/task_runs/count", tags=["Task Runs"])
    def count_task_runs(query: TaskRunQuery | None = None) -> int:
        """How many task runs match the filters (limit and offset are ignored)."""
        return reads.count_task_runs(history(), query or TaskRunQuery())

    @router.get("/task_runs/{id}", tags=["Task Runs"], response_model=models.TaskRun)
    def read_task_run(id: str) -> dict[str, Any]:
        """One task run by its full id."""
        row = history().read_task_run(id)
        if row is None or row["id"] != id:
            raise _not_found("task run", id)
        return shapes.run(row)

    @router.post("/logs/filter", tags=["Logs"], response_model=list[models.Log])
    def read_logs(query: LogQuery | None = None) -> list[dict[str, Any]]:
        """Log lines of the named flow or task runs, oldest first by default."""
        try:
            return reads.logs(history(), query or LogQuery())
        except reads.NeedsRunFilter as exc:
            raise HTTPException(422, str(exc)) from None

    return router
