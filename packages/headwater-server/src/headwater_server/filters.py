"""Request bodies of the `/filter` routes, in Prefect's shape (`schemas.filters`).

Only the fields this server can answer exist; an unknown field is a 422 naming
it (extra="forbid"), never silently ignored. Each filter has `matches(row)`
over the plain dicts that `headwater.history` reads.
"""

from __future__ import annotations

from datetime import datetime, timezone
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

#: Prefect's PREFECT_SERVER_API_DEFAULT_LIMIT: the default and the largest `limit`
DEFAULT_LIMIT = 200


class _Filter(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _epoch(moment: datetime) -> float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


class AnyOf(_Filter):
    any_: list[str] | None = Field(default=None, description="one of these values")
    not_any_: list[str] | None = Field(default=None, description="none of these values")

    def matches(self, value: Any) -> bool:
        if self.any_ is not None and value not in self.any_:
            return False
        return not (self.not_any_ is not None and value in self.not_any_)


class NameFilter(AnyOf):
    like_: str | None = Field(
        default=None, description="case-insensitive substring (SQL ILIKE %x%)"
    )

    def matches(self, value: Any) -> bool:
        if not super().matches(value):
            return False
        return self.like_ is None or self.like_.lower() in str(value or "").lower()


class IdFilter(AnyOf):
    is_null_: bool | None = Field(default=None, description="true: only unset; false: only set")

    def matches(self, value: Any) -> bool:
        if self.is_null_ is not None and (value is None) != self.is_null_:
            return False
        return super().matches(value)


class TagsFilter(_Filter):
    all_: list[str] | None = Field(default=None, description="has every one of these tags")
    any_: list[str] | None = Field(default=None, description="has at least one of these tags")
    is_null_: bool | None = Field(default=None, description="true: no tags; false: some tags")

    def matches(self, value: Any) -> bool:
        tags = set(value or ())
        if self.all_ is not None and not set(self.all_) <= tags:
            return False
        if self.any_ is not None and not tags & set(self.any_):
            return False
        return self.is_null_ is None or (not tags) == self.is_null_


class TimeFilter(_Filter):
    before_: datetime | None = Field(default=None, description="at or before this time")
    after_: datetime | None = Field(default=None, description="at or after this time")
    is_null_: bool | None = Field(default=None, description="true: only unset; false: only set")

    def matches(self, value: float | None) -> bool:
        if self.is_null_ is not None and (value is None) != self.is_null_:
            return False
        if self.before_ is None and self.after_ is None:
            return True
        if value is None:
            return False
        if self.before_ is not None and value > _epoch(self.before_):
            return False
        return not (self.after_ is not None and value < _epoch(self.after_))


class StateFilter(_Filter):
    type: AnyOf | None = Field(default=None, description="state types: COMPLETED, FAILED, ...")
    name: AnyOf | None = Field(default=None, description="state names: Completed, Cached, ...")

    def matches(self, row: dict[str, Any]) -> bool:
        if self.type is not None and not self.type.matches(row.get("state_type")):
            return False
        return self.name is None or self.name.matches(row.get("state_name"))


class _RunFilter(_Filter):
    id: AnyOf | None = None
    name: NameFilter | None = None
    tags: TagsFilter | None = None
    state: StateFilter | None = None
    start_time: TimeFilter | None = None
    end_time: TimeFilter | None = None

    def matches(self, row: dict[str, Any]) -> bool:
        checks: list[tuple[Any, Any]] = [
            (self.id, row.get("id")),
            (self.name, row.get("name")),
            (self.tags, row.get("tags")),
            (self.state, row),
            (self.start_time, row.get("start_time")),
            (self.end_time, row.get("end_time")),
        ]
        return all(f is None or f.matches(value) for f, value in checks)


class FlowRunFilter(_RunFilter):
    parent_task_run_id: IdFilter | None = None

    def matches(self, row: dict[str, Any]) -> bool:
        parent = self.parent_task_run_id
        if parent is not None and not parent.matches(row.get("parent_task_run_id")):
            return False
        return super().matches(row)


class TaskRunFilter(_RunFilter):
    flow_run_id: IdFilter | None = None

    def matches(self, row: dict[str, Any]) -> bool:
        flow_run = self.flow_run_id
        if flow_run is not None and not flow_run.matches(row.get("flow_run_id")):
            return False
        return super().matches(row)


class FlowFilter(_Filter):
    name: NameFilter | None = None

    def matches(self, row: dict[str, Any]) -> bool:
        return self.name is None or self.name.matches(row.get("flow_name"))


class LevelFilter(_Filter):
    ge_: int | None = Field(default=None, description="level at least this (logging.INFO is 20)")
    le_: int | None = Field(default=None, description="level at most this")

    def matches(self, value: int) -> bool:
        if self.ge_ is not None and value < self.ge_:
            return False
        return self.le_ is None or value <= self.le_


class LogFilter(_Filter):
    flow_run_id: AnyOf | None = None
    task_run_id: AnyOf | None = None
    level: LevelFilter | None = None
    timestamp: TimeFilter | None = None

    def matches(self, row: dict[str, Any]) -> bool:
        if self.level is not None and not self.level.matches(row["level"]):
            return False
        return self.timestamp is None or self.timestamp.matches(row["timestamp"])


class FlowRunSort(str, Enum):
    ID_DESC = "ID_DESC"
    START_TIME_ASC = "START_TIME_ASC"
    START_TIME_DESC = "START_TIME_DESC"
    EXPECTED_START_TIME_ASC = "EXPECTED_START_TIME_ASC"
    EXPECTED_START_TIME_DESC = "EXPECTED_START_TIME_DESC"
    NAME_ASC = "NAME_ASC"
    NAME_DESC = "NAME_DESC"
    END_TIME_DESC = "END_TIME_DESC"


class TaskRunSort(str, Enum):
    ID_DESC = "ID_DESC"
    EXPECTED_START_TIME_ASC = "EXPECTED_START_TIME_ASC"
    EXPECTED_START_TIME_DESC = "EXPECTED_START_TIME_DESC"
    NAME_ASC = "NAME_ASC"
    NAME_DESC = "NAME_DESC"
    END_TIME_DESC = "END_TIME_DESC"


class LogSort(str, Enum):
    TIMESTAMP_ASC = "TIMESTAMP_ASC"
    TIMESTAMP_DESC = "TIMESTAMP_DESC"


class _Query(_Filter):
    limit: int = Field(
        default=DEFAULT_LIMIT, ge=0, le=DEFAULT_LIMIT, description="at most this many"
    )
    offset: int = Field(default=0, ge=0, description="skip this many first")


class FlowRunQuery(_Query):
    """Body of `POST /api/flow_runs/filter`."""

    sort: FlowRunSort = FlowRunSort.ID_DESC
    flows: FlowFilter | None = None
    flow_runs: FlowRunFilter | None = None


class TaskRunQuery(_Query):
    """Body of `POST /api/task_runs/filter`."""

    sort: TaskRunSort = TaskRunSort.EXPECTED_START_TIME_DESC
    flows: FlowFilter | None = None
    flow_runs: FlowRunFilter | None = None
    task_runs: TaskRunFilter | None = None


class LogQuery(_Query):
    """Body of `POST /api/logs/filter`."""

    sort: LogSort = LogSort.TIMESTAMP_ASC
    logs: LogFilter | None = None


def sort_runs(rows: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    """Prefect's run sorts over store rows (expected start = created; unset times last)."""
    key, _, direction = sort.rpartition("_")
    reverse = direction == "DESC"
    field = {
        "ID": "id",
        "NAME": "name",
        "START_TIME": "start_time",
        "EXPECTED_START_TIME": "created",
        "END_TIME": "end_time",
    }[key]

    def value(row: dict[str, Any]) -> Any:
        found = row.get(field)
        return row.get("created") if found is None and field == "start_time" else found

    present = [r for r in rows if value(r) is not None]
    present.sort(key=value, reverse=reverse)
    return present + [r for r in rows if value(r) is None]


__all__ = ["DEFAULT_LIMIT", "FlowRunQuery", "LogQuery", "TaskRunQuery", "sort_runs"]
