"""Run ids: time-ordered UUIDs made without a system call."""

from __future__ import annotations

import os
import random
from time import time as _time

_rng = random.Random()
_bits = _rng.getrandbits


def new_run_id() -> str:
    """A time-ordered UUID (version 7) string.

    Ids need to be unique, not secret. Time order keeps the run store's
    indexes appending at their end instead of splitting pages all over, which
    makes recording several times cheaper; `uuid.uuid4()` would also read the
    OS entropy source each time, costing more than a whole tracked task should.
    """
    ms = int(_time() * 1000)
    h = f"{ms & 0xFFFFFFFFFFFF:012x}7{_bits(12):03x}{(_bits(62) | 0x8000000000000000):016x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


if hasattr(os, "register_at_fork"):
    # a forked child must not repeat its parent's sequence
    os.register_at_fork(after_in_child=_rng.seed)
