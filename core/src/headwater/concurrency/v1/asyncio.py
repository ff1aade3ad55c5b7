"""`concurrency(tags, task_run_id)` on tag limits, async (Prefect's `prefect.concurrency.v1.asyncio`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

from headwater.concurrency.acquire import as_names
from headwater.concurrency.asyncio import concurrency as _concurrency
from headwater.concurrency.model import tag_limit_name

__all__ = ["concurrency"]


@asynccontextmanager
async def concurrency(
    names: str | list[str],
    task_run_id: UUID,
    timeout_seconds: float | None = None,
) -> AsyncIterator[None]:
    """Hold one slot of each tag limit in `names` (tags) for `task_run_id` while the
    block runs (as `headwater.concurrency.v1.sync.concurrency`)."""
    tags = [tag_limit_name(tag) for tag in as_names(names)]
    holder = {"type": "task_run", "id": str(task_run_id)}
    async with _concurrency(tags, 1, timeout_seconds, holder=holder, lease_duration=300):
        yield
