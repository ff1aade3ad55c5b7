"""The artifact classes of Prefect's `prefect.artifacts`: what to create, and what is stored.

`Artifact` and its kinds (markdown, link, table, progress, image) know how to turn
themselves into the `data` Prefect stores; `create()` stores one attached to the
current flow and task run. `ArtifactResponse` is a stored artifact as Prefect's
API returns it.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from uuid import UUID

from pydantic import BaseModel, Field, field_validator

from headwater.artifacts.data import TableData, check_key, clamp_progress, table_json

if TYPE_CHECKING:
    from headwater.history.artifact_store import ArtifactStorage

__all__ = [
    "Artifact",
    "ArtifactResponse",
    "ImageArtifact",
    "LinkArtifact",
    "MarkdownArtifact",
    "ProgressArtifact",
    "TableArtifact",
    "current_run_ids",
    "dispatch_async",
    "storage",
]


class ArtifactResponse(BaseModel):
    """A stored artifact, as Prefect's API returns one (`prefect.client.schemas.objects.Artifact`)."""

    id: UUID
    created: datetime
    updated: datetime
    key: str | None = None
    type: str | None = None
    description: str | None = None
    data: Any = None
    metadata_: dict[str, str] | None = None
    flow_run_id: UUID | None = None
    task_run_id: UUID | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ArtifactResponse:
        times = {k: datetime.fromtimestamp(row[k], timezone.utc) for k in ("created", "updated")}
        return cls.model_validate({**row, **times})


class Artifact(BaseModel):
    """An artifact to create: `type`, optional `key` and `description`, and its `data`."""

    key: str | None = Field(default=None)
    type: str | None = Field(default=None)
    description: str | None = Field(default=None)
    data: Any = Field(default=None)
    metadata_: dict[str, str] | None = Field(default=None)
    flow_run_id: UUID | None = Field(default=None)
    task_run_id: UUID | None = Field(default=None)

    @field_validator("key")
    @classmethod
    def _valid_key(cls, key: str | None) -> str | None:
        return check_key(key)

    def format(self) -> Any:
        """The `data` to store (plain artifacts: their data as JSON text, as Prefect)."""
        return json.dumps(self.data)

    async def aformat(self) -> Any:
        return self.format()

    def create(self, client: Any = None) -> ArtifactResponse:
        """Store this artifact, attached to the current flow and task run (if any).

        In an async context this returns a coroutine (await it), as Prefect's does.
        `client` is accepted for Prefect compatibility and unused.
        """
        if dispatch_async():
            return self.acreate(client)  # type: ignore[return-value]
        return self._create()

    async def acreate(self, client: Any = None) -> ArtifactResponse:
        return self._create()

    def _create(self) -> ArtifactResponse:
        task_run_id, flow_run_id = current_run_ids()
        row = storage().create(
            {
                "id": str(uuid.uuid4()),
                "key": self.key,
                "type": self.type,
                "description": self.description,
                "data": self.format(),
                "metadata_": self.metadata_,
                "flow_run_id": str(self.flow_run_id) if self.flow_run_id else flow_run_id,
                "task_run_id": str(self.task_run_id) if self.task_run_id else task_run_id,
            }
        )
        return ArtifactResponse.from_row(row)

    @classmethod
    def get(cls, key: str | None = None, client: Any = None) -> ArtifactResponse | None:
        """The latest version of `key` (no key: the most recently updated artifact)."""
        if dispatch_async():
            return cls.aget(key, client)  # type: ignore[return-value]
        row = storage().latest(key)
        return None if row is None else ArtifactResponse.from_row(row)

    @classmethod
    async def aget(cls, key: str | None = None, client: Any = None) -> ArtifactResponse | None:
        row = storage().latest(key)
        return None if row is None else ArtifactResponse.from_row(row)

    @classmethod
    def get_or_create(
        cls,
        key: str | None = None,
        description: str | None = None,
        data: Any = None,
        client: Any = None,
        **kwargs: Any,
    ) -> tuple[ArtifactResponse, bool]:
        """The latest version of `key` and False, or a new artifact and True."""
        if dispatch_async():
            coroutine = cls.aget_or_create(key, description, data, client, **kwargs)
            return coroutine  # type: ignore[return-value]
        found = storage().latest(key) if key is not None else None
        if found is not None:
            return ArtifactResponse.from_row(found), False
        return cls(key=key, description=description, data=data, **kwargs)._create(), True

    @classmethod
    async def aget_or_create(
        cls,
        key: str | None = None,
        description: str | None = None,
        data: Any = None,
        client: Any = None,
        **kwargs: Any,
    ) -> tuple[ArtifactResponse, bool]:
        found = storage().latest(key) if key is not None else None
        if found is not None:
            return ArtifactResponse.from_row(found), False
        return cls(key=key, description=description, data=data, **kwargs)._create(), True


class MarkdownArtifact(Artifact):
    markdown: str
    type: str | None = "markdown"

    def format(self) -> str:
        return self.markdown


class LinkArtifact(Artifact):
    """Stored as Prefect stores it: a markdown artifact whose data is `[link_text](link)`."""

    link: str
    link_text: str | None = None
    type: str | None = "markdown"

    def format(self) -> str:
        return f"[{self.link_text or self.link}]({self.link})"


class TableArtifact(Artifact):
    """A table: a dict of columns, a list of row dicts, or a list of row lists."""

    table: TableData
    type: str | None = "table"

    def format(self) -> str:
        return table_json(self.table, self.key)


class ProgressArtifact(Artifact):
    """Percent done, 0 to 100 (outside that range: clamped with a warning, as in Prefect)."""

    progress: float
    type: str | None = "progress"

    def format(self) -> float:
        return clamp_progress(self.progress, self.key)


class ImageArtifact(Artifact):
    """An image shown from a URL the dashboard's browser can reach."""

    image_url: str
    type: str | None = "image"

    def format(self) -> str:
        return self.image_url


def current_run_ids() -> tuple[str | None, str | None]:
    """(task run id, flow run id) of the run this code is in, as Prefect finds them."""
    from headwater.context import FlowRunContext, TaskRunContext

    task_ctx, flow_ctx = TaskRunContext.get(), FlowRunContext.get()
    task_run_id = task_ctx.task_run.id if task_ctx else None
    if flow_ctx is not None:
        return task_run_id, flow_ctx.flow_run.id
    return task_run_id, task_ctx.task_run.flow_run_id if task_ctx else None


def dispatch_async() -> bool:
    from headwater.context import in_async_context

    return in_async_context()


def storage() -> ArtifactStorage:
    from headwater.history.artifact_store import get_artifact_storage

    return get_artifact_storage()
