"""RemoteTaskRunner: the base for task runners that execute runs in other processes.

What is the same on every backend lives here: the run is created (Pending)
in this process, its submission is held back until its upstream futures
finish (so `submit()` never blocks), its inputs are resolved here, it is
packed as bytes (each distinct task once), and when the worker's outcome
comes back it is replayed into this process's store and console. A run the
backend loses ends Cancelled, Crashed or Failed with a message naming it.

A subclass says how to reach its backend:

- `send(run, packed)`: start `run_packed(*packed)` on the backend and, once it
  has finished, call `run.finish(outcome)` with what it returned (bytes) or
  with the exception it ended in;
- `classify_error(exc)`: what one of the backend's exceptions means
  (`RemoteError.CANCELLED`, `WORKER_LOST` or `FAILED`);
- optionally `start_backend()` / `stop_backend()` (on entering and leaving
  the runner; every submitted run is final before `stop_backend()`), and
  `cancel_all()`.

Workers need headwater installed and nothing else: no database, server or
settings (see engine/remote.py and engine/packing.py).
"""

from __future__ import annotations

import concurrent.futures as cf
import enum
import functools
from abc import abstractmethod
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from headwater.engine.packing import PackedCall, TaskPacker, when_ready
from headwater.engine.remote import finish_remote, prepare_remote, unsendable
from headwater.futures import HeadwaterConcurrentFuture
from headwater.states import Cancelled, State
from headwater.task_runners.base import TaskRunner

if TYPE_CHECKING:
    from headwater.engine.task_call import TaskCall
    from headwater.history.records import TaskRun
    from headwater.tasks import Task

__all__ = ["PackedCall", "RemoteError", "RemoteRun", "RemoteTaskRunner", "WorkerLostError"]

F = TypeVar("F", bound=HeadwaterConcurrentFuture[Any])


class RemoteError(enum.Enum):
    """What a backend's exception means for the run it ended."""

    #: the run was cancelled (by `cancel_all()`, the user or the backend): Cancelled
    CANCELLED = "cancelled"
    #: the worker died or the backend lost the run: Crashed
    WORKER_LOST = "worker lost"
    #: the backend could not run it (a module missing on the worker, ...): Failed
    FAILED = "failed"


class WorkerLostError(RuntimeError):
    """The worker running a task run died, or the backend lost the run."""


class RemoteRun:
    """One submitted task run on its way to the backend: what `send()` is given."""

    __slots__ = ("call", "future", "options", "runner")

    def __init__(
        self,
        runner: RemoteTaskRunner[Any],
        call: TaskCall,
        future: HeadwaterConcurrentFuture[Any],
        options: Any = None,
    ) -> None:
        self.runner = runner
        self.call = call
        #: the future `submit()` returned
        self.future = future
        #: what the runner's `capture_options()` returned at submit time
        self.options = options

    @property
    def task_run(self) -> TaskRun:
        return self.call.task_run

    @property
    def key(self) -> str:
        """A unique, readable name for the backend's own records: `name-id`."""
        return f"{self.call.task_run.name}-{self.call.task_run.id}"

    def finish(self, outcome: bytes | BaseException) -> State:
        """Settle the run from what `run_packed` returned, or the exception instead."""
        import cloudpickle

        try:
            if isinstance(outcome, BaseException):
                state = self.runner.lost_state(self.call, outcome)
            else:
                state = finish_remote(self.call, cloudpickle.loads(outcome))
        except BaseException as exc:  # replaying failed: never leave the run unsettled
            state = self.runner.lost_state(self.call, exc)
        self.future.set_result(state)
        return state


class RemoteTaskRunner(TaskRunner[F]):
    """Base class for runners that send each task run to another process to execute."""

    #: how messages name the backend ("could not be sent to Dask"); default: the class name
    backend_name: ClassVar[str] = ""
    #: the future `submit()` returns (made with the run's TaskRun)
    future_class: ClassVar[type[HeadwaterConcurrentFuture[Any]]] = HeadwaterConcurrentFuture
    #: the exception a run whose worker died is Crashed with
    worker_lost_error: ClassVar[type[WorkerLostError]] = WorkerLostError

    def __init__(self) -> None:
        super().__init__()
        self._packer = TaskPacker()
        self._submitted: list[HeadwaterConcurrentFuture[Any]] = []

    # --- what a subclass implements -----------------------------------------------
    @abstractmethod
    def send(self, run: RemoteRun, packed: PackedCall) -> None:
        """Start `run_packed(*packed)` on the backend; call `run.finish(...)` when it ends."""

    @abstractmethod
    def classify_error(self, exc: BaseException) -> RemoteError:
        """What `exc`, raised by the backend for a run, means for that run."""

    def start_backend(self) -> None:
        """Start or connect to the backend (on entering the runner)."""

    def stop_backend(self) -> None:
        """Release the backend (every submitted run is final by now)."""

    def capture_options(self) -> Any:
        """Anything to take from the submitting context (kept as `run.options`)."""
        return None

    def error_shown(self, exc: BaseException) -> BaseException:
        """The exception users see for a Failed run (a backend's wrapper may hold it)."""
        return exc

    def _backend(self) -> str:
        return self.backend_name or type(self).__name__

    # --- lifetime -------------------------------------------------------------------
    def __enter__(self) -> RemoteTaskRunner[F]:
        super().__enter__()
        try:
            self.start_backend()
        except BaseException:
            try:
                self.stop_backend()
            finally:
                self._started = False
            raise
        return self

    def __exit__(self, *exc_info: Any) -> None:
        try:
            self.wait_for_submitted()
        finally:
            try:
                self.stop_backend()
            finally:
                super().__exit__(*exc_info)

    def wait_for_submitted(self) -> None:
        """Wait until every run submitted so far is final."""
        submitted, self._submitted = self._submitted, []
        for future in submitted:
            future.wait()

    # --- submitting -------------------------------------------------------------------
    def submit(
        self,
        task: Task[Any, Any],
        parameters: dict[str, Any],
        wait_for: Iterable[Any] | None = None,
        dependencies: dict[str, set[Any]] | None = None,
    ) -> F:
        call = self.prepare(task, parameters, wait_for, dependencies)
        future: Any = self.future_class(call.task_run)
        run = RemoteRun(self, call, future, self.capture_options())
        self._submitted.append(future)
        when_ready(call, functools.partial(self._dispatch, run))
        return future  # type: ignore[no-any-return]

    def _dispatch(self, run: RemoteRun) -> None:
        """Resolve inputs (all final by now), pack, and send; settle the run if that fails."""
        call = run.call
        try:
            remote = prepare_remote(call)
            if isinstance(remote, State):  # an upstream run did not complete
                run.future.set_result(remote)
                return
            try:
                packed = self._packer.pack(remote)
            except Exception as exc:
                run.future.set_result(unsendable(call, exc, self._backend()))
                return
            self.send(run, packed)
        except BaseException as exc:
            run.finish(exc)

    def lost_state(self, call: TaskCall, exc: BaseException) -> State:
        """Record the final state of a run the backend ended with `exc`."""
        from headwater.engine.crashes import crash_task_run

        name, where = call.task_run.name, self._backend()
        kind = type(exc).__name__
        if isinstance(exc, cf.CancelledError):
            meaning = RemoteError.CANCELLED
        elif isinstance(exc, WorkerLostError):
            meaning = RemoteError.WORKER_LOST
        else:
            meaning = self.classify_error(exc)
        if meaning is RemoteError.CANCELLED:
            return call.finish(Cancelled(message=f"Task run {name!r} was cancelled on {where}"))
        if meaning is RemoteError.WORKER_LOST:
            died = self.worker_lost_error(
                f"Task run {name!r} was lost: the {where} worker running it died ({kind}: {exc})"
            )
            return crash_task_run(call.task_run, died, call.recorder)
        shown = self.error_shown(exc)
        message = (
            f"Task run {name!r} could not run on the {where} worker "
            f"({type(shown).__name__}: {shown}). Is every module it needs installed there?"
        )
        return call.fail(message, shown)
