"""Ray object refs in, recorded final states out: the orchestrator's side of a remote run.

Each submitted run is a Ray `ObjectRef` to the worker's outcome (bytes).
`ref.future()` fetches it without polling; Ray's callback only queues it, and
one collector thread per runner replays the outcome into the run store and
console and completes the headwater future. The outcome then lives here, so
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

if TYPE_CHECKING:
    from headwater.engine.task_call import TaskCall
    from headwater.states import State
    from headwater.store.records import TaskRun

R = TypeVar("R")

#: Ray's exceptions meaning "the process running it is gone", by class name
_LOST = {
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

    def __init__(self, task_run: TaskRun, wrapped: cf.Future[Any], object_ref: Any = None) -> None:
        super().__init__(task_run, wrapped)
        #: the Ray ObjectRef of the run's outcome (None if it never reached Ray)
        self.object_ref = object_ref


#: Prefect's name
PrefectRayFuture = HeadwaterRayFuture


class RayWorkerDiedError(RuntimeError):
    """The Ray worker running a task run died."""


class OutcomeCollector:
    """The thread that settles finished Ray refs."""

    def __init__(self) -> None:
        self._done: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._inflight: dict[int, Any] = {}
        self._lock = threading.Lock()
        self._thread = threading.Thread(
            target=self._loop, daemon=True, name="headwater-ray-collector"
        )
        self._thread.start()

    def track(self, ref: Any, call: TaskCall, future: cf.Future[Any]) -> None:
        ray_future = ref.future()
        with self._lock:
            self._inflight[id(future)] = ref
        ray_future.add_done_callback(lambda rf: self._done.put((rf, call, future)))

    def cancel_all(self) -> None:
        import ray

        with self._lock:
            refs = list(self._inflight.values())
        for ref in refs:
            try:
                ray.cancel(ref, force=True)
            except Exception:
                pass

    def stop(self) -> None:
        self._done.put(None)
        self._thread.join()

    def _loop(self) -> None:
        while True:
            item = self._done.get()
            if item is None:
                return
            ray_future, call, future = item
            with self._lock:
                self._inflight.pop(id(future), None)
            try:
                outcome: Any = ray_future.result()
            except BaseException as exc:
                outcome = exc
            _complete(future, call, outcome)


def _complete(future: cf.Future[Any], call: TaskCall, outcome: Any) -> None:
    import cloudpickle
    from headwater.engine.remote import finish_remote

    try:
        if isinstance(outcome, BaseException):
            state = lost_state(call, outcome)
        else:
            state = finish_remote(call, cloudpickle.loads(outcome))
    except BaseException as exc:
        state = lost_state(call, exc)
    future.set_result(state)


def lost_state(call: TaskCall, exc: BaseException) -> State:
    """Record the final state of a run Ray could not deliver: Crashed, Cancelled or Failed."""
    from headwater.engine.crashes import crash_task_run
    from headwater.states import Cancelled, Failed

    name = call.task_run.name
    kind = type(exc).__name__
    cause = getattr(exc, "cause", None)
    if isinstance(exc, cf.CancelledError) or kind == "TaskCancelledError":
        state = Cancelled(message=f"Task run {name!r} was cancelled on Ray")
        call._finish(state)
        return state
    if kind in _LOST or isinstance(exc, RayWorkerDiedError):
        died = RayWorkerDiedError(
            f"Task run {name!r} was lost: the Ray worker running it died ({kind}: {exc})"
        )
        return crash_task_run(call.task_run, died, call.recorder)
    shown = cause if isinstance(cause, BaseException) else exc
    message = (
        f"Task run {name!r} could not run on the Ray worker ({type(shown).__name__}: {shown}). "
        "Is every module it needs installed there?"
    )
    failed = Failed(message=message, data=shown)
    call.logger.error(message)
    call._finish(failed)
    return failed
