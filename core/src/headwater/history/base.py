"""Where run history goes: the write side the engine calls, and the read side
the CLI (and later the server) uses (`RunHistory`, which a read-only view
implements too).

The engine never waits on storage: a `RunRecorder` must return quickly and do
its I/O elsewhere (the embedded store queues records for a background writer).
Remote task runners use a `CapturingRecorder` in the worker and replay its
records into the orchestrating process's recorder, so workers need no database.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Protocol

from headwater.history.records import Event, FlowRun, LogEntry, StateChange, TaskRun


class RunRecorder(Protocol):
    """The write side. Every method must be cheap and non-blocking."""

    def record_flow_run(self, run: FlowRun) -> None: ...
    def record_task_run(self, run: TaskRun) -> None: ...
    def record_state(self, change: StateChange) -> None: ...
    def record_log(self, entry: LogEntry) -> None: ...
    def record_event(self, event: Event) -> None: ...


class RunHistory(ABC):
    """The read side: plain dicts, newest first unless said otherwise."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def read_flow_runs(
        self, state: str | None = None, flow_name: str | None = None, limit: int = 50
    ) -> list[dict[str, Any]]: ...
    @abstractmethod
    def read_flow_run(self, run_id: str) -> dict[str, Any] | None:
        """By full id or unique prefix."""

    @abstractmethod
    def read_task_runs(
        self, flow_run_id: str | None = None, state: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]: ...
    @abstractmethod
    def read_task_run(self, run_id: str) -> dict[str, Any] | None: ...
    @abstractmethod
    def read_states(self, run_id: str) -> list[dict[str, Any]]:
        """Oldest first."""

    @abstractmethod
    def read_logs(self, run_id: str, include_task_runs: bool = True) -> list[dict[str, Any]]:
        """Oldest first; for a flow run, its task runs' logs too unless told otherwise."""

    @abstractmethod
    def read_events(
        self,
        limit: int | None = 100,
        *,
        after: int | None = None,
        since: float | None = None,
        until: float | None = None,
        where: tuple[str, list[Any]] | None = None,
        oldest_first: bool = False,
    ) -> list[dict[str, Any]]:
        """Newest first unless `oldest_first`; each with its `seq` (a cursor: `after=`)."""

    def count_events(
        self,
        *,
        since: float | None = None,
        until: float | None = None,
        where: tuple[str, list[Any]] | None = None,
    ) -> int:
        """How many events `read_events` with these arguments and no limit returns.

        Reads every matching event; stores that can query override this.
        """
        return len(self.read_events(None, since=since, until=until, where=where))

    @abstractmethod
    def last_event_seq(self) -> int:
        """The newest event's `seq`, 0 if none."""

    @abstractmethod
    def count_task_runs(self, flow_run_id: str | None = None) -> int: ...

    def read_task_runs_page(
        self, limit: int, before_id: str | None = None, flow_run_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Up to `limit` task runs with ids below `before_id`, highest id first: keyset
        paging (run ids are time-ordered, so this is newest first), a page's last id
        being the next page's `before_id`.

        Reads every run; stores that can query override this.
        """
        runs = sorted(self.read_task_runs(flow_run_id=flow_run_id), key=lambda r: r["id"])
        return [r for r in reversed(runs) if before_id is None or r["id"] < before_id][:limit]

    def find_runs(self, kind: str, ref: str, limit: int = 20) -> list[dict[str, Any]]:
        """Flow or task runs (`kind` "flow" or "task") that `ref` may mean, newest first:
        ids equal to, starting with or ending with `ref`, and runs named `ref`.

        Reads every run; stores that can query override this.
        """
        if not ref:
            return []
        runs = self.read_flow_runs(limit=-1) if kind == "flow" else self.read_task_runs()
        found = [r for r in runs if ref in (r["name"], r["id"][: len(ref)], r["id"][-len(ref) :])]
        return found[:limit]


class RunStore(RunHistory):
    """A recorder that can also be read back and flushed."""

    @abstractmethod
    def record_flow_run(self, run: FlowRun) -> None: ...
    @abstractmethod
    def record_task_run(self, run: TaskRun) -> None: ...
    @abstractmethod
    def record_state(self, change: StateChange) -> None: ...
    @abstractmethod
    def record_log(self, entry: LogEntry) -> None: ...
    @abstractmethod
    def record_event(self, event: Event) -> None: ...

    @abstractmethod
    def flush(self, timeout: float | None = None) -> None:
        """Block until everything recorded so far is durable."""


class CapturingRecorder:
    """Collects records in memory, to be replayed elsewhere (remote workers)."""

    __slots__ = ("records",)

    def __init__(self) -> None:
        self.records: list[tuple[str, Any]] = []

    def record_flow_run(self, run: FlowRun) -> None:
        self.records.append(("record_flow_run", run))

    def record_task_run(self, run: TaskRun) -> None:
        self.records.append(("record_task_run", _detached(run)))

    def record_state(self, change: StateChange) -> None:
        self.records.append(("record_state", change))

    def record_log(self, entry: LogEntry) -> None:
        self.records.append(("record_log", entry))

    def record_event(self, event: Event) -> None:
        self.records.append(("record_event", event))

    def replay(self, target: RunRecorder) -> None:
        for method, record in self.records:
            getattr(target, method)(record)


def _detached(run: Any) -> Any:
    """A copy without the live `state` (whose data may not pickle)."""
    from dataclasses import replace

    return replace(run, state=None)
