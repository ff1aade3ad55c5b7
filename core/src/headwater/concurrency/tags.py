"""Tag limits for task runs: which of a run's tags are limited, and taking a slot.

A task run whose tags have limits ("tag:<tag>" limits) takes one slot on each
before its first attempt and keeps it until it finishes. Whether any tag is
limited is answered from a per-home snapshot of the tag limit names, refreshed
every `CACHE_SECONDS` (Prefect caches "no limits" for 5 s), so a task run with
tags pays a dict lookup, not a query, on the common path with no limits.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from headwater import settings
from headwater.concurrency.acquire import SlotRequest
from headwater.concurrency.errors import ConcurrencySlotAcquisitionError
from headwater.concurrency.leases import keeper
from headwater.concurrency.model import TAG_PREFIX, tag_limit_name
from headwater.concurrency.storage import get_store

__all__ = ["CACHE_SECONDS", "TagSlots", "forget_cached_tag_limits", "limited_tags"]

#: how long a process trusts its snapshot of which tags have limits
CACHE_SECONDS = 2.0
#: lease length of a task run's tag slots (renewed while it runs), as Prefect
TAG_LEASE_SECONDS = 60.0

_home_key = settings.watch("home")
_snapshot: dict[tuple[object, ...], tuple[float, frozenset[str]]] = {}


def forget_cached_tag_limits() -> None:
    _snapshot.clear()


def limited_tags(tags: Iterable[str]) -> list[str]:
    """The tag limit names ("tag:<tag>") that exist for `tags`, sorted."""
    key = _home_key()
    now = time.monotonic()
    cached = _snapshot.get(key)
    if cached is None or cached[0] < now:
        names = get_store().names_with_prefix(TAG_PREFIX)
        cached = _snapshot[key] = (now + CACHE_SECONDS, names)
    limited = cached[1]
    if not limited:
        return []
    return sorted(n for n in map(tag_limit_name, tags) if n in limited)


class TagSlots:
    """A task run's request for one slot on each of its limited tags."""

    def __init__(self, names: list[str], task_run_id: str) -> None:
        self.request = SlotRequest(
            names,
            1,
            lease_duration=TAG_LEASE_SECONDS,
            holder={"type": "task_run", "id": task_run_id},
        )
        self.lease_id: str | None = None

    @property
    def tags(self) -> list[str]:
        return [n[len(TAG_PREFIX) :] for n in self.request.names]

    def try_take(self) -> float | None:
        """None once the slots are held; else the seconds to wait before trying again.

        Raises ConcurrencySlotAcquisitionError with Prefect's message when a tag's limit
        is 0 (the run could never start)."""
        try:
            attempt = self.request.try_once()
        except ConcurrencySlotAcquisitionError:
            zero = [r["name"] for r in get_store().read_all(self.request.names) if r["limit"] == 0]
            if not zero:
                raise
            tag = zero[0][len(TAG_PREFIX) :]
            raise ConcurrencySlotAcquisitionError(
                f'The concurrency limit on tag "{tag}" is 0 and will deadlock if the task tries '
                f"to run again. Raise it (`headwater concurrency-limit create {tag} N`) or "
                f"delete it (`headwater concurrency-limit delete {tag}`)."
            ) from None
        if not attempt.acquired:
            return self.request.wait_before_retry(attempt)
        self.lease_id = attempt.lease_id
        if self.lease_id is not None:
            keeper.hold(self.request.store, self.lease_id, TAG_LEASE_SECONDS, self.request.names)
        return None

    def give_up(self) -> None:
        self.request.give_up()

    def release(self) -> None:
        lease_id, self.lease_id = self.lease_id, None
        if lease_id is not None:
            keeper.release(self.request.store, lease_id)
