"""Processes contending for one limit: shared by the cross-process test and bench/concurrency.py.

`python concurrency_contention.py NAME ACQUISITIONS HOLD_SECONDS OUT_FILE` takes a slot of
limit NAME that many times back to back, holding each for HOLD_SECONDS, and
writes one "start end" line (time.time()) per holding to OUT_FILE.
"""

from __future__ import annotations

import sys
import time


def contend(name: str, acquisitions: int, hold: float, out: str) -> None:
    from headwater.concurrency.sync import concurrency

    spans = []
    for _ in range(acquisitions):
        with concurrency(name, timeout_seconds=120, strict=True):
            start = time.time()
            time.sleep(hold)
            spans.append((start, time.time()))
    with open(out, "w") as f:
        f.writelines(f"{a!r} {b!r}\n" for a, b in spans)


def max_overlap(spans: list[tuple[float, float]]) -> int:
    """The most spans open at one instant."""
    edges = sorted([(a, 1) for a, _ in spans] + [(b, -1) for _, b in spans])
    most = current = 0
    for _, step in edges:
        current += step
        most = max(most, current)
    return most


if __name__ == "__main__":
    contend(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4])
