"""The server's write side: what `POST /api/records` hands a batch of client records to.

A client (`headwater.history.api_store`) sends its records in batches, each with an id
it chose. A `BatchWriter` stores one batch in one transaction together with that id,
so a batch the client resends (its answer was lost, or it came back from a spill file)
is applied once. It commits before returning: the route answers 2xx only after that,
and a client whose batch was acknowledged never sends it again.

Client liveness: runs recorded through the server belong to the client processes,
not to the server, so a server restart never marks them Crashed. Each batch (and an
empty heartbeat batch every few seconds while
a client is idle; the server's answers say how often: a fifth of the timeout) names its
client and the moment it was known alive. A writer marks
a client's unfinished runs Crashed, as of that moment, once the client has been
silent for `client_timeout` seconds of the server's own uptime (see `sweep_silent`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol, runtime_checkable

from headwater.history.records import Event, FlowRun, LogEntry, StateChange, TaskRun

__all__ = [
    "DEFAULT_CLIENT_TIMEOUT",
    "BatchWriter",
    "ClientInfo",
    "Records",
    "StagingWriter",
    "WriterHolder",
]

#: seconds without a batch or heartbeat after which a client's unfinished runs are Crashed
#: (HEADWATER_SERVER_CLIENT_TIMEOUT)
DEFAULT_CLIENT_TIMEOUT = 300.0


@dataclass(frozen=True)
class ClientInfo:
    """The process that sent a batch: `id` is unique per process (a fresh uuid per start)."""

    id: str
    pid: int
    hostname: str
    #: when the client built this batch (its clock): the last moment it was known alive
    alive_at: float


@runtime_checkable
class BatchWriter(Protocol):
    """Stores client batches durably and idempotently (embedded SQLite, PostgreSQL, ...)."""

    def write_batch(
        self,
        batch_id: str,
        flow_runs: Sequence[FlowRun],
        task_runs: Sequence[TaskRun],
        states: Sequence[StateChange],
        logs: Sequence[LogEntry],
        events: Sequence[Event],
        client: ClientInfo | None = None,
    ) -> bool:
        """Apply the batch in one transaction and commit before returning.

        Returns False (writing nothing) if `batch_id` was applied before. With `client`,
        the runs are recorded as that client's and its last-seen moment moves forward.
        """

    def heartbeat(self, client: ClientInfo) -> None:
        """Note that `client` was alive at `client.alive_at` (no records)."""

    def sweep_silent(self, client_timeout: float) -> int:
        """Mark Crashed the unfinished runs of clients silent for `client_timeout` seconds
        (counting only time this writer was up); return how many runs were marked."""

    def close(self) -> None: ...


class Records(NamedTuple):
    """One batch's records, as `BatchWriter.write_batch` takes them."""

    flow_runs: list[FlowRun]
    task_runs: list[TaskRun]
    states: list[StateChange]
    logs: list[LogEntry]
    events: list[Event]


@runtime_checkable
class StagingWriter(Protocol):
    """A writer that acknowledges a batch once it is stored as sent, and applies it to the
    run tables right after, in the order batches arrived (see database.intake)."""

    #: False where this writer applies batches at once (write_batch) instead
    staging: bool

    def stage(
        self,
        batch_id: str,
        client: ClientInfo | None,
        body: bytes,
        on_applied: Callable[[], None] | None = None,
    ) -> bool:
        """Store the batch durably before returning (False: that id was seen before);
        `on_applied` is called once it has been applied."""

    def backlog(self) -> dict[str, int]:
        """{"staged": batches waiting, "failed": batches that could not be applied}."""


class WriterHolder:
    """Opens the server's `BatchWriter` on first use (not at start: a fresh home stays
    untouched until a client records), and closes it at shutdown."""

    def __init__(self, open_writer: Callable[[], BatchWriter]) -> None:
        self._open = open_writer
        self._writer: BatchWriter | None = None
        self._lock = threading.Lock()

    def get(self) -> BatchWriter:
        writer = self._writer
        if writer is not None:
            return writer
        with self._lock:
            if self._writer is None:
                self._writer = self._open()
            return self._writer

    def opened(self) -> BatchWriter | None:
        return self._writer

    def close(self) -> None:
        with self._lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
