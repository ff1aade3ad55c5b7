"""Response models: what the routes return, as documented at /docs (Prefect's field names)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class State(BaseModel):
    type: str = Field(description="COMPLETED, FAILED, RUNNING, CRASHED, ...")
    name: str | None = Field(default=None, description="Completed, Cached, Retrying, ...")
    message: str | None = None
    timestamp: datetime | None = None


class _Run(BaseModel):
    id: str
    name: str
    tags: list[str] = Field(default_factory=list)
    created: datetime | None = None
    expected_start_time: datetime | None = Field(default=None, description="= created")
    start_time: datetime | None = None
    end_time: datetime | None = None
    total_run_time: float = Field(default=0.0, description="seconds, 0 until it ends")
    run_count: int = 0
    state_type: str | None = None
    state_name: str | None = None
    state: State | None = None
    process_id: int | None = Field(default=None, description="the recording process's row")


class FlowRun(_Run):
    flow_name: str
    flow_version: str | None = None
    parameters: dict[str, Any] | None = None
    parent_task_run_id: str | None = None
    root_flow_run_id: str | None = None


class TaskRunInput(BaseModel):
    input_type: str = "task_run"
    id: str


class TaskRun(_Run):
    task_key: str
    flow_run_id: str | None = None
    dynamic_key: str | None = None
    cache_key: str | None = None
    task_inputs: dict[str, list[TaskRunInput]] = Field(
        default_factory=dict, description="parameter -> the upstream task runs that fed it"
    )


class Log(BaseModel):
    name: str | None = Field(default=None, description="the logger's name")
    level: int
    message: str
    timestamp: datetime
    flow_run_id: str | None = None
    task_run_id: str | None = None
    run_name: str | None = None
