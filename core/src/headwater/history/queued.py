"""The engine's hot path into a store that writes elsewhere: append to a queue.

Both the embedded store (its writer thread) and the API store (its sender thread)
take records this way: one deque append per record, and past `HIGH_WATER` queued
records the store's own `_backpressure` waits for its thread to catch up, so memory
stays bounded however fast a flow records.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from headwater.history.records import Event, FlowRun, LogEntry, StateChange, TaskRun

__all__ = ["HIGH_WATER", "LOW_WATER", "QueuedRecorder"]

#: queued records past which recording waits for the store's thread
HIGH_WATER = 20_000
#: ... until the queue is back under this
LOW_WATER = 10_000


class QueuedRecorder:
    """`record_*` for a store with a `_queue` deque and a `_backpressure()` method."""

    _queue: deque[Any]

    def _backpressure(self) -> None:
        raise NotImplementedError

    def record_flow_run(self, run: FlowRun) -> None:
        queue = self._queue
        queue.append(run)
        if len(queue) > HIGH_WATER:
            self._backpressure()

    def record_task_run(self, run: TaskRun) -> None:
        queue = self._queue
        queue.append(run)
        if len(queue) > HIGH_WATER:
            self._backpressure()

    def record_state(self, change: StateChange) -> None:
        queue = self._queue
        queue.append(change)
        if len(queue) > HIGH_WATER:
            self._backpressure()

    def record_log(self, entry: LogEntry) -> None:
        queue = self._queue
        queue.append(entry)
        if len(queue) > HIGH_WATER:
            self._backpressure()

    def record_event(self, event: Event) -> None:
        queue = self._queue
        queue.append(event)
        if len(queue) > HIGH_WATER:
            self._backpressure()
