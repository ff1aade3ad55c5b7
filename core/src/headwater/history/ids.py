"""Run ids: time-ordered UUIDs made without a system call."""

from __future__ import annotations

import os
import random
from time import time_ns as _time_ns

_rng = random.Random()
_bits = _rng.getrandbits


def new_run_id() -> str:
    """A time-ordered UUID (version 7) string.

    Ids need to be unique, not secret. Time order keeps the run store's
    indexes appending at their end instead of splitting pages all over, which
    makes recording several times cheaper; `uuid.uuid4()` would also read the
    OS entropy source each time, costing more than a whole tracked task should.
    """
    ms = _time_ns() // 1_000_000
    r = _bits(74)  # 12 random bits after the version, 62 after the variant
    return _LAYOUT % (
        (ms >> 16) & 0xFFFFFFFF, ms & 0xFFFF, 0x7000 | (r >> 62), 0x8000 | ((r >> 48) & 0x3FFF),
        r & 0xFFFFFFFFFFFF,
    )  # fmt: skip


_LAYOUT = "%08x-%04x-%04x-%04x-%012x"


if hasattr(os, "register_at_fork"):
    # a forked child must not repeat its parent's sequence
    os.register_at_fork(after_in_child=_rng.seed)
