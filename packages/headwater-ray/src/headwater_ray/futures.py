"""Ray object refs in, recorded final states out: the orchestrator's side of a remote run.

Each submitted run is a Ray `ObjectRef` to the worker's outcome (bytes).
One collector thread per runner waits on all of them at once, fetches the
finished ones in one batch, replays each outcome into the run store and
console, and completes the run's future. The outcome then lives here, so
no later worker death can make Ray re-run a completed task. A ref that errs
(its worker died, the payload could not load) ends its run Crashed or Failed
with a message naming it, never stuck in a running state.
"""

from __future__ import annotations

import concurrent.futures as cf
import queue
import threading
from typing import TYPE_CHECKING, Any, TypeVar

from headwater.futures import HeadwaterConcurrentFuture
from headwater.task_runners.remote import WorkerLostError

if TYPE_CHECKING:
    from headwater.history.records import TaskRun
    from headwater.task_runners.remote import RemoteRun

R = TypeVar("R")

#: Ray's exceptions meaning "the process running it is gone", by class name
LOST = {
    "WorkerCrashedError",
    "NodeDiedError",
    "ObjectLostError",
    "OwnerDiedError",
    "LocalRayletDiedError",
    "RaySystemError",
    "OutOfMemoryError",
}


class HeadwaterRayFuture(HeadwaterConcurrentFuture[R]):
    """A task run submitted to Ray; `.result()`, `.state`, `.wait()` as for every runner."""

    def __init__(
        self, task_run: TaskRun, wrapped: cf.Future[Any] | None = None, object_ref: Any = None
    ) -> None:
        super().__init__(task_run, wrapped)
        #: the Ray ObjectRef of the run's outcome (None if it never reached Ray)
        self.object_ref = object_ref


#: Prefect's name
PrefectRayFuture = HeadwaterRayFuture


class RayWorkerDiedError(WorkerLostError):
    """The Ray worker running a task run died."""


class OutcomeCollector:
    """The thread that settles finished Ray refs, in batches.

    It waits on every in-flight ref at once (`ray.wait`), then fetches all that
    are ready with one `ray.get`, as a plain Ray program gathering results
    would; a per-ref callback (`ref.future()`) costs a Ray round trip each.
    """

    #: how long one wait may block before newly submitted refs are picked up
    POLL_SECONDS = 0.05

    def __init__(self) -> None:
        self._new: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._inflight: dict[Any, RemoteRun] = {}
        self._lock = threading.Lock()
        self._stopping = False
        self._thread = threading.Thread(
            target=self._loop, daemon=True, name="headwater-ray-collector"
        )
        self._thread.start()

    def track(self, ref: Any, run: RemoteRun) -> None:
        self._new.put((ref, run))

    def cancel_all(self) -> None:
        import ray

        with self._lock:
            refs = list(self._inflight)
        for ref in refs:
            try:
                ray.cancel(ref, force=True)
            except Exception:
                pass

    def stop(self) -> None:
        self._new.put(None)
        self._thread.join()

    def _absorb(self, block: bool) -> None:
        while True:
            try:
                item = self._new.get(block=block)
            except queue.Empty:
                return
            block = False
            if item is None:
                self._stopping = True
                continue
            ref, run = item
            with self._lock:
                self._inflight[ref] = run

    def _loop(self) -> None:
        import ray

        while True:
            self._absorb(block=not self._inflight and not self._stopping)
            if not self._inflight:
                if self._stopping:
                    return
                continue
            refs = list(self._inflight)
            ready, _ = ray.wait(refs, num_returns=1, timeout=self.POLL_SECONDS)
            if not ready:
                continue
            if len(refs) > 1:
                ready, _ = ray.wait(refs, num_returns=len(refs), timeout=0)
            self._settle(ready)

    def _settle(self, ready: list[Any]) -> None:
        import ray

        try:
            outcomes: list[Any] = ray.get(ready)
        except BaseException:
            outcomes = []
            for ref in ready:  # one failed: fetch one by one to tell which
                try:
                    outcomes.append(ray.get(ref))
                except BaseException as exc:
                    outcomes.append(exc)
        for ref, outcome in zip(ready, outcomes, strict=True):
            with self._lock:
                run = self._inflight.pop(ref)
            run.finish(outcome)
