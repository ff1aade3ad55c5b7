"""Artifacts: markdown, tables, links, progress and images that runs publish (Prefect's API).

    from headwater.artifacts import create_markdown_artifact

    create_markdown_artifact("# Report\\nAll rows loaded.", key="nightly-report")

An artifact created inside a task run records that task run and its flow run;
outside any run it is stored with no run, as in Prefect. A `key` (lowercase
letters, numbers, dashes) makes it a version of that key: each create adds one,
the newest is the key's latest. As in Prefect, the `create_*` functions hand back
a coroutine in an async context (an async flow or task, or a running event loop
outside any run): await it; the `acreate_*` twins are the async forms. Artifacts
live in the home's database (`history.artifact_store`) in the form a dashboard
renders: a `type` and Prefect's `data` (markdown text, the table as JSON text,
the link as markdown, the progress float, the image URL).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from headwater.artifacts.data import TableData, check_key, table_json
from headwater.artifacts.models import (
    Artifact,
    ArtifactResponse,
    ImageArtifact,
    LinkArtifact,
    MarkdownArtifact,
    ProgressArtifact,
    TableArtifact,
    dispatch_async,
    storage,
)

__all__ = [
    "Artifact",
    "ArtifactResponse",
    "ImageArtifact",
    "LinkArtifact",
    "MarkdownArtifact",
    "ProgressArtifact",
    "TableArtifact",
    "acreate_image_artifact",
    "acreate_link_artifact",
    "acreate_markdown_artifact",
    "acreate_progress_artifact",
    "acreate_table_artifact",
    "aupdate_progress_artifact",
    "create_image_artifact",
    "create_link_artifact",
    "create_markdown_artifact",
    "create_progress_artifact",
    "create_table_artifact",
    "update_progress_artifact",
]


def create_markdown_artifact(
    markdown: str, key: str | None = None, description: str | None = None
) -> UUID:
    """Store markdown text (rendered by the dashboard); returns the artifact's id."""
    if dispatch_async():
        return acreate_markdown_artifact(markdown, key, description)  # type: ignore[return-value]
    return _new(MarkdownArtifact, key, description, markdown=markdown)


async def acreate_markdown_artifact(
    markdown: str, key: str | None = None, description: str | None = None
) -> UUID:
    return _new(MarkdownArtifact, key, description, markdown=markdown)


def create_table_artifact(
    table: TableData, key: str | None = None, description: str | None = None
) -> UUID:
    """Store a table: a dict of columns, a list of row dicts or a list of row lists."""
    if dispatch_async():
        return acreate_table_artifact(table, key, description)  # type: ignore[return-value]
    return _new(TableArtifact, key, description, table=table)


async def acreate_table_artifact(
    table: TableData, key: str | None = None, description: str | None = None
) -> UUID:
    return _new(TableArtifact, key, description, table=table)


def _new(kind: type[Artifact], key: str | None, description: str | None, **data: Any) -> UUID:
    """Create a `kind` artifact; its key and table are checked before the model is
    built, so bad input gets a message naming it and the fix, not pydantic's."""
    check_key(key)
    if "table" in data:
        table_json(data["table"], key)
    return kind(key=key, description=description, **data)._create().id


def create_link_artifact(
    link: str,
    link_text: str | None = None,
    key: str | None = None,
    description: str | None = None,
    client: Any = None,
) -> UUID:
    """Store a link (as Prefect: a markdown artifact `[link_text](link)`)."""
    if dispatch_async():
        return acreate_link_artifact(link, link_text, key, description)  # type: ignore[return-value]
    return _new(LinkArtifact, key, description, link=link, link_text=link_text)


async def acreate_link_artifact(
    link: str,
    link_text: str | None = None,
    key: str | None = None,
    description: str | None = None,
    client: Any = None,
) -> UUID:
    return _new(LinkArtifact, key, description, link=link, link_text=link_text)


def create_progress_artifact(
    progress: float, key: str | None = None, description: str | None = None
) -> UUID:
    """Store a progress percentage (0 to 100); move it on with `update_progress_artifact`."""
    if dispatch_async():
        return acreate_progress_artifact(progress, key, description)  # type: ignore[return-value]
    return _new(ProgressArtifact, key, description, progress=progress)


async def acreate_progress_artifact(
    progress: float, key: str | None = None, description: str | None = None
) -> UUID:
    return _new(ProgressArtifact, key, description, progress=progress)


def update_progress_artifact(
    artifact_id: UUID,
    progress: float,
    description: str | None = None,
    client: Any = None,
) -> UUID:
    """Set a progress artifact's percentage (and description, when given) in place."""
    if dispatch_async():
        return aupdate_progress_artifact(artifact_id, progress, description)  # type: ignore[return-value]
    return _update_progress(artifact_id, progress, description)


async def aupdate_progress_artifact(
    artifact_id: UUID,
    progress: float,
    description: str | None = None,
    client: Any = None,
) -> UUID:
    return _update_progress(artifact_id, progress, description)


def _update_progress(artifact_id: UUID, progress: float, description: str | None) -> UUID:
    store, wanted = storage(), str(artifact_id)
    found = store.read(wanted)
    fix = "pass the id that create_progress_artifact returned (`headwater artifact ls --all`)"
    if found is None:
        raise ValueError(f"No artifact has the id {wanted!r}: {fix}")
    if found["type"] != "progress":
        raise ValueError(
            f"Artifact {wanted!r} is a {found['type']!r} artifact, not a progress artifact: {fix}"
        )
    value = ProgressArtifact(key=found["key"], progress=progress).format()
    if store.update(wanted, value, description or None) is None:  # deleted meanwhile
        raise ValueError(f"No artifact has the id {wanted!r}: {fix}")
    return artifact_id


def create_image_artifact(
    image_url: str, key: str | None = None, description: str | None = None
) -> UUID:
    """Store an image by URL (the dashboard's browser loads it from there)."""
    if dispatch_async():
        return acreate_image_artifact(image_url, key, description)  # type: ignore[return-value]
    return _new(ImageArtifact, key, description, image_url=image_url)


async def acreate_image_artifact(
    image_url: str, key: str | None = None, description: str | None = None
) -> UUID:
    return _new(ImageArtifact, key, description, image_url=image_url)
