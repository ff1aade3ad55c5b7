"""Emitted events are all stored: none dropped, even 100,000 from one process as fast as it can."""

from __future__ import annotations

import os
import subprocess
import sys

from headwater.history.reader import ReadOnlyRunStore

EMIT_MANY = """
import sys
from headwater import flow
from headwater.events import emit_event

@flow
def burst(n: int) -> None:
    for i in range(n):
        emit_event("burst.item", {"prefect.resource.id": f"item.{i}"}, payload={"i": i})

burst(int(sys.argv[1]))
"""


def test_a_hundred_thousand_events_are_all_stored(headwater_home) -> None:
    n = 100_000
    subprocess.run(
        [sys.executable, "-c", EMIT_MANY, str(n)],
        env={**os.environ, "HEADWATER_HOME": str(headwater_home)},
        check=True,
        capture_output=True,
        timeout=600,
    )
    history = ReadOnlyRunStore(headwater_home)
    try:
        _, rows = history._read(
            "SELECT count(*), count(DISTINCT id), min(payload_json ->> '$.i'), "
            "max(payload_json ->> '$.i') FROM events WHERE event = 'burst.item'"
        )
        assert rows[0] == (n, n, 0, n - 1)
        flow_events = history.read_events(
            limit=None, where=("event LIKE 'headwater.flow-run.%'", [])
        )
        assert len(flow_events) == 3  # Pending, Running, Completed of the flow
    finally:
        history.close()
