"""What a concurrency limit is, as the limits API and the CLI show it, and its rules."""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Any

__all__ = ["TAG_PREFIX", "ConcurrencyLimit", "check_limit", "check_name", "tag_limit_name"]

#: tag limits are global limits named "tag:<tag>" (as Prefect 3 stores them)
TAG_PREFIX = "tag:"

_BAD_NAME = re.compile(r"[/%&><]")


@dataclasses.dataclass(frozen=True)
class ConcurrencyLimit:
    """A global concurrency limit (or, named "tag:<tag>", a tag's task run limit)."""

    id: str
    name: str
    limit: int
    active: bool
    slot_decay_per_second: float
    #: slots occupied now: live leases plus rate-limited slots not yet decayed
    active_slots: float
    #: who holds the live leases: one dict per lease ({"lease_id", "slots", "expires",
    #: "holder"}), holder as given to `concurrency(holder=...)` or None
    holders: tuple[dict[str, Any], ...]
    created: float
    updated: float

    @property
    def tag(self) -> str | None:
        """The tag this limit applies to, for a tag limit; else None."""
        return self.name[len(TAG_PREFIX) :] if self.name.startswith(TAG_PREFIX) else None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def tag_limit_name(tag: str) -> str:
    return TAG_PREFIX + tag


def check_name(name: object) -> str:
    """`name` if it can name a limit; ValueError naming the problem otherwise."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"a concurrency limit name must be a non-empty string, got {name!r}")
    if _BAD_NAME.search(name):
        raise ValueError(
            f"concurrency limit name {name!r} contains one of / % & > <; choose a name without them"
        )
    return name


def check_limit(limit: object, what: str = "limit") -> int:
    """`limit` as an int >= 0; ValueError saying what is wrong and the fix otherwise."""
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise ValueError(f"{what} must be a whole number >= 0, got {limit!r}")
    if limit < 0:
        raise ValueError(f"{what} must be >= 0, got {limit}: pass 0 or more slots")
    return limit


def check_decay(decay: object) -> float:
    if isinstance(decay, bool) or not isinstance(decay, (int, float)):
        raise ValueError(f"slot_decay_per_second must be a number >= 0, got {decay!r}")
    if not math.isfinite(decay) or decay < 0:
        raise ValueError(
            f"slot_decay_per_second must be a finite number >= 0, got {decay}: "
            "0 for no decay, or the slots freed per second for a rate limit"
        )
    return float(decay)
