"""Creating, reading, changing and deleting limits: the typed API the CLI uses.

Prefect users manage limits through `get_client()` and a server; headwater needs
no server, so these module-level functions do it on the home's store (a server
backend serves the same `LimitStore` calls later). Tag limits (Prefect's
"concurrency limits", v1) are global limits named "tag:<tag>".
"""

from __future__ import annotations

import sqlite3
from typing import Any

from headwater.concurrency.errors import ConcurrencyLimitNotFound
from headwater.concurrency.model import (
    ConcurrencyLimit,
    check_decay,
    check_limit,
    check_name,
    tag_limit_name,
)
from headwater.concurrency.storage import get_store

__all__ = [
    "create_concurrency_limit",
    "create_global_concurrency_limit",
    "delete_concurrency_limit",
    "delete_global_concurrency_limit",
    "read_concurrency_limit",
    "read_concurrency_limits",
    "read_global_concurrency_limit",
    "read_global_concurrency_limits",
    "reset_concurrency_limit",
    "update_global_concurrency_limit",
]


def _limit(row: dict[str, Any]) -> ConcurrencyLimit:
    return ConcurrencyLimit(**{**row, "holders": tuple(row["holders"])})


def _changed_tags(name: str) -> None:
    if name.startswith("tag:"):
        from headwater.concurrency.tags import forget_cached_tag_limits

        forget_cached_tag_limits()


def create_global_concurrency_limit(
    name: str,
    limit: int,
    *,
    active: bool = True,
    slot_decay_per_second: float = 0.0,
    active_slots: int = 0,
) -> ConcurrencyLimit:
    """A new limit of `limit` slots; ValueError if `name` exists or a value is invalid."""
    check_name(name)
    check_limit(limit)
    check_limit(active_slots, "active_slots")
    decay = check_decay(slot_decay_per_second)
    try:
        row = get_store().create(name, limit, bool(active), decay, active_slots)
    except sqlite3.IntegrityError:
        raise ValueError(
            f"a concurrency limit named {name!r} already exists; change it with "
            f"`headwater gcl update {name} --limit N` or delete it first"
        ) from None
    _changed_tags(name)
    return _limit(row)


def read_global_concurrency_limit(name: str) -> ConcurrencyLimit:
    row = get_store().read(name)
    if row is None:
        raise ConcurrencyLimitNotFound(
            f"no concurrency limit is named {name!r}; see `headwater gcl ls`, or create it "
            f"with `headwater gcl create {name} --limit N`"
        )
    return _limit(row)


def read_global_concurrency_limits() -> list[ConcurrencyLimit]:
    """Every limit (tag limits too, named "tag:<tag>"), by name."""
    return [_limit(r) for r in get_store().read_all()]


def update_global_concurrency_limit(
    name: str,
    *,
    limit: int | None = None,
    active: bool | None = None,
    slot_decay_per_second: float | None = None,
    active_slots: int | None = None,
) -> ConcurrencyLimit:
    """Change what is given; `active_slots` sets the occupied count (0 frees every slot)."""
    changes: dict[str, Any] = {}
    if limit is not None:
        changes["limit"] = check_limit(limit)
    if active is not None:
        changes["active"] = bool(active)
    if slot_decay_per_second is not None:
        changes["slot_decay_per_second"] = check_decay(slot_decay_per_second)
    if active_slots is not None:
        changes["active_slots"] = check_limit(active_slots, "active_slots")
    if not get_store().update(name, **changes):
        read_global_concurrency_limit(name)  # raises, naming the fix
    _changed_tags(name)
    return read_global_concurrency_limit(name)


def delete_global_concurrency_limit(name: str) -> None:
    if not get_store().delete(name):
        read_global_concurrency_limit(name)  # raises, naming the fix
    _changed_tags(name)


# --- tag limits (Prefect's task run concurrency limits) ----------------------------
def _tag_missing(tag: str) -> ConcurrencyLimitNotFound:
    return ConcurrencyLimitNotFound(
        f"no concurrency limit is set on the tag {tag!r}; see `headwater concurrency-limit "
        f"ls`, or create it with `headwater concurrency-limit create {tag} N`"
    )


def create_concurrency_limit(tag: str, concurrency_limit: int) -> ConcurrencyLimit:
    """Limit task runs tagged `tag` to `concurrency_limit` at once (replacing any
    limit on the tag, as Prefect's create does)."""
    name = tag_limit_name(check_name(tag))
    check_limit(concurrency_limit, "concurrency_limit")
    store = get_store()
    if store.read(name) is not None:
        store.update(name, limit=concurrency_limit)
        _changed_tags(name)
        return read_global_concurrency_limit(name)
    return create_global_concurrency_limit(name, concurrency_limit)


def read_concurrency_limit(tag: str) -> ConcurrencyLimit:
    row = get_store().read(tag_limit_name(tag))
    if row is None:
        raise _tag_missing(tag)
    return _limit(row)


def read_concurrency_limits() -> list[ConcurrencyLimit]:
    """Every tag limit, by tag."""
    return [limit for limit in read_global_concurrency_limits() if limit.tag is not None]


def reset_concurrency_limit(tag: str) -> None:
    """Free every slot on the tag (task runs still holding one keep running)."""
    if not get_store().reset(tag_limit_name(tag)):
        raise _tag_missing(tag)


def delete_concurrency_limit(tag: str) -> None:
    if not get_store().delete(tag_limit_name(tag)):
        raise _tag_missing(tag)
    _changed_tags(tag_limit_name(tag))
