"""More read routes over the run history: flows, state histories, task-run pages, automations.

Prefect's paths and shapes: `POST /api/flows/filter`, `GET /api/flow_run_states/?flow_run_id=`,
`GET /api/task_run_states/?task_run_id=`, `POST /api/task_runs/paginate`,
`POST /api/automations/filter`, `GET /api/automations/{id}`; and headwater's own
`POST /api/{flow,task}_runs/find` (which run a user means by a short id or name). Flows have no table of their
own in headwater: a flow is the name its runs carry, its id a UUID derived from that name.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from enum import Enum
from typing import Any

from fastapi import APIRouter, HTTPException, Query
from headwater.history import RunHistory
from pydantic import BaseModel, ConfigDict, Field

from headwater_server import reads, shapes
from headwater_server.automation_filters import AutomationQuery
from headwater_server.filters import DEFAULT_LIMIT, FlowFilter, TaskRunQuery, TaskRunSort
from headwater_server.home_tables import HomeTables


class FlowSort(str, Enum):
    NAME_ASC = "NAME_ASC"
    NAME_DESC = "NAME_DESC"
    CREATED_DESC = "CREATED_DESC"
    UPDATED_DESC = "UPDATED_DESC"


class FlowQuery(BaseModel):
    """Body of `POST /api/flows/filter`."""

    model_config = ConfigDict(extra="forbid")
    flows: FlowFilter | None = None
    sort: FlowSort = FlowSort.NAME_ASC
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=DEFAULT_LIMIT, ge=0, le=DEFAULT_LIMIT)


class TaskRunPageQuery(TaskRunQuery):
    """Body of `POST /api/task_runs/paginate`: Prefect's `page`, or headwater's `cursor`
    (the `next_cursor` of the previous answer), which stays fast however deep it goes."""

    page: int = Field(default=1, ge=1, description="1-based page number (offset paging)")
    cursor: str | None = Field(
        default=None, description="headwater: continue after the page that gave this cursor"
    )


class FindQuery(BaseModel):
    """Body of `POST /api/flow_runs/find` and `/api/task_runs/find` (headwater's own)."""

    model_config = ConfigDict(extra="forbid")
    ref: str = Field(min_length=1, description="a full id, id prefix, id suffix or run name")
    limit: int = Field(default=20, ge=0, le=DEFAULT_LIMIT)


def flow_id(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"headwater:flow:{name}"))


def _flows(history: RunHistory, query: FlowQuery) -> list[dict[str, Any]]:
    by_name: dict[str, dict[str, Any]] = {}
    for run in history.read_flow_runs(limit=-1):
        if query.flows is not None and not query.flows.matches(run):
            continue
        flow = by_name.setdefault(run["flow_name"], {"created": None, "updated": None})
        created = run.get("created")
        if created is not None:
            flow["created"] = min(created, flow["created"] or created)
            flow["updated"] = max(created, flow["updated"] or created)
    found = [
        {"id": flow_id(name), "name": name, "created": t["created"], "updated": t["updated"],
         "tags": [], "labels": {}}
        for name, t in by_name.items()
    ]  # fmt: skip
    field, reverse = {
        FlowSort.NAME_ASC: ("name", False),
        FlowSort.NAME_DESC: ("name", True),
        FlowSort.CREATED_DESC: ("created", True),
        FlowSort.UPDATED_DESC: ("updated", True),
    }[query.sort]
    found.sort(key=lambda f: f[field] or 0, reverse=reverse)
    page = found[query.offset : query.offset + query.limit]
    return [{**f, "created": shapes.iso(f["created"]), "updated": shapes.iso(f["updated"])}
            for f in page]  # fmt: skip


def _states(history: RunHistory, run_id: str, kind: str) -> list[dict[str, Any]]:
    found = [s for s in history.read_states(run_id) if s["run_kind"] == kind]
    return [
        {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"headwater:state:{run_id}:{i}")),
            "type": s["type"],
            "name": s["name"],
            "message": s.get("message"),
            "timestamp": shapes.iso(s["timestamp"]),
            "data": None,
            "state_details": {
                "flow_run_id": run_id if kind == "flow" else None,
                "task_run_id": run_id if kind == "task" else None,
            },
        }
        for i, s in enumerate(found)
    ]


_CURSOR_FILTERS = "task_runs.flow_run_id.any_ with one id"


def _cursor_parent(query: TaskRunPageQuery) -> str | None:
    """The one flow run id a cursor query may narrow by; 422 for anything else."""
    wanted = query.task_runs.model_dump(exclude_none=True) if query.task_runs else {}
    ids = (wanted.get("flow_run_id") or {}).get("any_")
    simple = set(wanted) <= {"flow_run_id"} and set(wanted.get("flow_run_id", {})) <= {"any_"}
    if query.flows or query.flow_runs or not simple or (ids is not None and len(ids) != 1):
        raise HTTPException(422, f"cursor paging filters only by {_CURSOR_FILTERS}")
    if query.sort not in (TaskRunSort.ID_DESC, TaskRunSort.EXPECTED_START_TIME_DESC):
        raise HTTPException(422, "cursor paging is newest first: sort ID_DESC or leave it out")
    return ids[0] if ids else None


def _decode_cursor(cursor: str) -> str:
    try:
        last = json.loads(base64.urlsafe_b64decode(cursor.encode()))["before"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        last = None
    if not isinstance(last, str):
        raise HTTPException(422, "cursor is not one this server gave out; start without it")
    return last


def task_run_page(history: RunHistory, query: TaskRunPageQuery) -> dict[str, Any]:
    """A page by cursor (keyset on the time-ordered id), or by page number (offset)."""
    if query.cursor is None and query.page > 1 and query.offset == 0:
        offset_query = query.model_copy(update={"offset": (query.page - 1) * query.limit})
        results = reads.task_runs(history, offset_query)
        count = reads.count_task_runs(history, query)
        pages = -(-count // query.limit) if query.limit else 0
        return {"results": results, "count": count, "limit": query.limit,
                "pages": pages, "page": query.page, "next_cursor": None}  # fmt: skip
    parent = _cursor_parent(query)
    before = _decode_cursor(query.cursor) if query.cursor is not None else None
    rows = history.read_task_runs_page(query.limit + 1, before_id=before, flow_run_id=parent)
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    next_cursor = None
    if more and rows:
        next_cursor = base64.urlsafe_b64encode(json.dumps({"before": rows[-1]["id"]}).encode())
    return {
        "results": [shapes.run(r) for r in rows], "count": None, "limit": query.limit,
        "pages": None, "page": query.page,
        "next_cursor": next_cursor.decode() if next_cursor else None,
    }  # fmt: skip


def _automation(row: tuple[Any, ...]) -> dict[str, Any]:
    automation_id, name, enabled, spec, created, updated = row
    return {
        "id": automation_id, **json.loads(spec), "enabled": bool(enabled), "name": name,
        "created": shapes.iso(created), "updated": shapes.iso(updated),
    }  # fmt: skip


_AUTOMATION_COLUMNS = "id, name, enabled, spec_json, created, updated"


def router(history: Any, tables: HomeTables) -> APIRouter:
    api = APIRouter()

    @api.post("/flows/filter", tags=["Flows"])
    def read_flows(query: FlowQuery | None = None) -> list[dict[str, Any]]:
        """Flows (by name) that have runs in this history."""
        return _flows(history(), query or FlowQuery())

    @api.get("/flow_run_states/", tags=["Flow Run States"])
    def read_flow_run_states(flow_run_id: str = Query(...)) -> list[dict[str, Any]]:
        """A flow run's states, oldest first (none for an unknown id)."""
        return _states(history(), flow_run_id, "flow")

    @api.get("/task_run_states/", tags=["Task Run States"])
    def read_task_run_states(task_run_id: str = Query(...)) -> list[dict[str, Any]]:
        """A task run's states, oldest first (none for an unknown id)."""
        return _states(history(), task_run_id, "task")

    @api.post("/task_runs/paginate", tags=["Task Runs"])
    def paginate_task_runs(query: TaskRunPageQuery | None = None) -> dict[str, Any]:
        """Task runs a page at a time: `page` as Prefect, or `cursor` (give back the
        `next_cursor` of the last answer; null at the end), newest first."""
        return task_run_page(history(), query or TaskRunPageQuery())

    @api.post("/flow_runs/find", tags=["Flow Runs"])
    def find_flow_runs(query: FindQuery) -> list[dict[str, Any]]:
        """Flow runs a user may mean by `ref` (what `headwater flow-run inspect REF` takes:
        full id, id prefix, the short id `ls` shows, or the name), newest first."""
        return [shapes.run(r) for r in history().find_runs("flow", query.ref, query.limit)]

    @api.post("/task_runs/find", tags=["Task Runs"])
    def find_task_runs(query: FindQuery) -> list[dict[str, Any]]:
        """Task runs a user may mean by `ref` (full id, id prefix, short id or name)."""
        return [shapes.run(r) for r in history().find_runs("task", query.ref, query.limit)]

    @api.post("/automations/filter", tags=["Automations"])
    def read_automations(query: AutomationQuery | None = None) -> list[dict[str, Any]]:
        """Automations saved in this home, oldest first (or by `sort`), narrowed by
        Prefect's `automations` filter (`name.any_`, `created.before_`, `tags`)."""
        sql, params = (query or AutomationQuery()).select(_AUTOMATION_COLUMNS)
        return [_automation(r) for r in tables.rows(sql, params)]

    @api.get("/automations/{id}", tags=["Automations"])
    def read_automation(id: str) -> dict[str, Any]:
        """One automation by id."""
        rows = tables.rows(f"SELECT {_AUTOMATION_COLUMNS} FROM automations WHERE id = ?", (id,))
        if not rows:
            raise HTTPException(404, f"automation {id!r} not found on this server")
        return _automation(rows[0])

    return api
