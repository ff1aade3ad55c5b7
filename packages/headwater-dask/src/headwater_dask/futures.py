"""Dask futures in, recorded final states out: the orchestrator's side of a remote run.

Each submitted task run is a `distributed.Future` whose value is the worker's
outcome (bytes). One collector thread per runner takes finished futures in
batches, fetches their outcomes with one `gather` per batch (as plain Dask
code does), replays each into the run store and console, and completes the
run's future with the final state. It then releases the Dask future: a
completed task's result lives in the orchestrator, so a worker that dies
later can never make Dask recompute it (Prefect issue #15442). A future that
errs instead (its worker died, the payload could not load) ends its task run
Crashed or Failed with a message naming it, never stuck in a running state.
"""

from __future__ import annotations

import concurrent.futures as cf
import queue
import threading
from typing import TYPE_CHECKING, Any, TypeVar

from headwater.futures import HeadwaterConcurrentFuture
from headwater.task_runners.remote import WorkerLostError

if TYPE_CHECKING:
    import distributed
    from headwater.history.records import TaskRun
    from headwater.task_runners.remote import RemoteRun

R = TypeVar("R")


class HeadwaterDaskFuture(HeadwaterConcurrentFuture[R]):
    """A task run submitted to Dask; `.result()`, `.state`, `.wait()` as for every runner."""

    def __init__(self, task_run: TaskRun, wrapped: cf.Future[Any] | None = None) -> None:
        super().__init__(task_run, wrapped)


#: Prefect's name
PrefectDaskFuture = HeadwaterDaskFuture


class DaskWorkerDiedError(WorkerLostError):
    """The Dask worker running a task run died (or the scheduler lost the run)."""


class OutcomeCollector:
    """The thread that settles finished Dask futures, in batches."""

    def __init__(self, client: distributed.Client) -> None:
        self.client = client
        self._done: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._inflight: dict[str, tuple[Any, RemoteRun]] = {}
        self._lock = threading.Lock()
        self._thread = threading.Thread(
            target=self._loop, daemon=True, name="headwater-dask-collector"
        )
        self._thread.start()

    def track(self, dask_future: Any, run: RemoteRun) -> None:
        with self._lock:
            self._inflight[dask_future.key] = (dask_future, run)
        dask_future.add_done_callback(self._done.put)

    def cancel_all(self) -> None:
        with self._lock:
            running = [entry[0] for entry in self._inflight.values()]
        if running:
            self.client.cancel(running)

    def stop(self) -> None:
        self._done.put(None)
        self._thread.join()

    def _loop(self) -> None:
        stopping = False
        while not stopping:
            batch = [self._done.get()]
            while True:
                try:
                    batch.append(self._done.get_nowait())
                except queue.Empty:
                    break
            stopping = None in batch
            self._settle([f for f in batch if f is not None])

    def _settle(self, batch: list[Any]) -> None:
        with self._lock:
            entries = [e for e in (self._inflight.pop(f.key, None) for f in batch) if e]
        finished: list[Any] = []
        lost: list[Any] = []
        for entry in entries:
            (finished if entry[0].status == "finished" else lost).append(entry)
        outcomes = self._gather([e[0] for e in finished])
        for (dask_future, run), outcome in zip(finished, outcomes, strict=True):
            run.finish(outcome)
            dask_future.release()
        for dask_future, run in lost:
            run.finish(_exception_of(dask_future))
            dask_future.release()

    def _gather(self, futures: list[Any]) -> list[Any]:
        """Outcome bytes (or the exception) per future, in one round trip when all is well."""
        if not futures:
            return []
        try:
            return list(self.client.gather(futures))
        except BaseException:
            outcomes: list[Any] = []
            for f in futures:
                try:
                    outcomes.append(f.result())
                except BaseException as exc:
                    outcomes.append(exc)
            return outcomes


def _exception_of(dask_future: Any) -> BaseException:
    if dask_future.status == "cancelled":
        return cf.CancelledError(f"Dask cancelled {dask_future.key!r}")
    try:
        return dask_future.exception()  # type: ignore[no-any-return]
    except BaseException as exc:
        return exc
