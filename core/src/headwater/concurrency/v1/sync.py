"""`concurrency(tags, task_run_id)` on tag limits (Prefect's `prefect.concurrency.v1.sync`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID

from headwater.concurrency.acquire import as_names
from headwater.concurrency.model import tag_limit_name
from headwater.concurrency.sync import concurrency as _concurrency

__all__ = ["concurrency"]


@contextmanager
def concurrency(
    names: str | list[str],
    task_run_id: UUID,
    timeout_seconds: float | None = None,
) -> Iterator[None]:
    """Hold one slot of each tag limit in `names` (tags) for `task_run_id` while the
    block runs; tags without a limit are skipped. `TimeoutError` after
    `timeout_seconds` (None: wait forever)."""
    tags = [tag_limit_name(tag) for tag in as_names(names)]
    holder = {"type": "task_run", "id": str(task_run_id)}
    with _concurrency(tags, 1, timeout_seconds, holder=holder, lease_duration=300):
        yield
