"""Body of `POST /api/automations/filter` in Prefect's shape, and the SQL it becomes.

Prefect's `AutomationFilter` (`name.any_`, `created.before_`, `tags.all_/any_/is_null_`,
combined by `operator`), `AutomationSort`, `offset` and `limit`: what Prefect's own
client sends (`read_automations_by_name` asks `{"automations": {"name": {"any_":
[name]}}}`). Every value is a bound parameter (lists travel as one JSON text read by
`json_each`), so a name is only ever compared, never run, whatever it holds. A wrong
type or an unknown field is a 422 naming it.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from headwater_server.filters import DEFAULT_LIMIT


class _Filter(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Operator(str, Enum):
    and_ = "and_"
    or_ = "or_"


class AutomationSort(str, Enum):
    CREATED_DESC = "CREATED_DESC"
    UPDATED_DESC = "UPDATED_DESC"
    NAME_ASC = "NAME_ASC"
    NAME_DESC = "NAME_DESC"


class AutomationFilterName(_Filter):
    any_: list[str] | None = Field(default=None, description="one of these names")


class AutomationFilterCreated(_Filter):
    before_: datetime | None = Field(default=None, description="created at or before this")


class AutomationFilterTags(_Filter):
    all_: list[str] | None = Field(default=None, description="has every one of these tags")
    any_: list[str] | None = Field(default=None, description="has at least one of these tags")
    is_null_: bool | None = Field(default=None, description="true: no tags; false: some tags")


_TAGS = "json_each(spec_json, '$.tags')"


class AutomationFilter(_Filter):
    operator: Operator = Field(default=Operator.and_, description="how the criteria combine")
    name: AutomationFilterName | None = None
    created: AutomationFilterCreated | None = None
    tags: AutomationFilterTags | None = None

    def where(self) -> tuple[str, list[Any]]:
        """An SQL condition over the `automations` table, and its parameters."""
        parts: list[str] = []
        params: list[Any] = []
        if self.name is not None and self.name.any_ is not None:
            parts.append("name IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(self.name.any_))
        if self.created is not None and self.created.before_ is not None:
            before = self.created.before_
            if before.tzinfo is None:
                before = before.replace(tzinfo=timezone.utc)
            parts.append("created <= ?")
            params.append(before.timestamp())
        if self.tags is not None:
            tags = self.tags
            if tags.all_ is not None:
                parts.append(
                    "NOT EXISTS (SELECT 1 FROM json_each(?) AS wanted WHERE wanted.value "
                    f"NOT IN (SELECT value FROM {_TAGS}))"
                )
                params.append(json.dumps(tags.all_))
            if tags.any_ is not None:
                parts.append(
                    f"EXISTS (SELECT 1 FROM {_TAGS} AS has "
                    "WHERE has.value IN (SELECT value FROM json_each(?)))"
                )
                params.append(json.dumps(tags.any_))
            if tags.is_null_ is not None:
                empty = "coalesce(json_array_length(spec_json, '$.tags'), 0) = 0"
                parts.append(empty if tags.is_null_ else f"NOT ({empty})")
        if not parts:
            return "1", []
        joiner = " AND " if self.operator is Operator.and_ else " OR "
        return "(" + joiner.join(f"({p})" for p in parts) + ")", params


_ORDER = {
    None: "created, rowid",  # headwater's default: oldest first
    AutomationSort.CREATED_DESC: "created DESC, rowid DESC",
    AutomationSort.UPDATED_DESC: "updated DESC, rowid DESC",
    AutomationSort.NAME_ASC: "name, created",
    AutomationSort.NAME_DESC: "name DESC, created",
}


class AutomationQuery(_Filter):
    """Body of `POST /api/automations/filter`."""

    automations: AutomationFilter | None = None
    sort: AutomationSort | None = Field(
        default=None, description="Prefect's AutomationSort; left out: oldest first"
    )
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=DEFAULT_LIMIT, ge=0, le=DEFAULT_LIMIT)

    def select(self, columns: str) -> tuple[str, list[Any]]:
        """The query for this page of automations, and its parameters."""
        where, params = (self.automations or AutomationFilter()).where()
        sql = (
            f"SELECT {columns} FROM automations WHERE {where} "
            f"ORDER BY {_ORDER[self.sort]} LIMIT ? OFFSET ?"
        )
        return sql, [*params, self.limit, self.offset]
