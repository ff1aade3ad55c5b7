"""Processes contending for one limit: shared by the cross-process test and bench/concurrency.py.

`python concurrency_contention.py NAME ACQUISITIONS HOLD_SECONDS OUT_FILE [FOR_SECONDS]` takes
a slot of limit NAME that many times back to back (ACQUISITIONS 0: as often as it can until
FOR_SECONDS have passed), holding each for HOLD_SECONDS, and writes one "start end" line
(time.time()) per holding to OUT_FILE.
"""

from __future__ import annotations

import sys
import time


def contend(
    name: str, acquisitions: int, hold: float, out: str, for_seconds: float | None = None
) -> None:
    from headwater.concurrency.sync import concurrency

    spans = []
    end = time.time() + for_seconds if for_seconds is not None else None
    taken = 0
    while (end is None and taken < acquisitions) or (end is not None and time.time() < end):
        taken += 1
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
    seconds = float(sys.argv[5]) if len(sys.argv) > 5 else None
    contend(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], seconds)
