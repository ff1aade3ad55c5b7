"""Runs submitted tasks in worker processes (spawned), for CPU-bound Python code.

Each worker is a spawned process fed over a pipe by one thread here. The
worker runs the full engine and sends back the final state, result, logs and
state changes (engine/remote.py); this process records them. A worker that
dies marks its task run Crashed and is replaced; a worker left running a
timed-out body is ended after it reports, so the body really stops.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import queue
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from headwater import settings
from headwater.futures import HeadwaterConcurrentFuture
from headwater.task_runners.base import TaskRunner

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from headwater.engine.task_call import TaskCall
    from headwater.tasks import Task


class ProcessPoolTaskRunner(TaskRunner[HeadwaterConcurrentFuture[Any]]):
    """Task runs in up to `max_workers` spawned processes (default: CPU count).

    Parameters and results must be picklable (cloudpickle); a task that can't be
    sent fails with a message naming it.
    """

    short_name = "process"

    def __init__(
        self,
        max_workers: int | None = None,
        initializer: Callable[..., Any] | None = None,
        initargs: tuple[Any, ...] = (),
    ) -> None:
        super().__init__()
        if max_workers is not None and max_workers < 1:
            raise ValueError(f"max_workers must be >= 1, got {max_workers}")
        self._requested_workers = max_workers
        self.max_workers = (
            max_workers
            or settings.get_int("tasks_runner_process_pool_max_workers")
            or os.cpu_count()
            or 1
        )
        self.initializer = initializer
        self.initargs = initargs
        self._pool: _WorkerPool | None = None

    def duplicate(self) -> ProcessPoolTaskRunner:
        return type(self)(self._requested_workers, self.initializer, self.initargs)

    def __enter__(self) -> ProcessPoolTaskRunner:
        super().__enter__()
        self._pool = _WorkerPool(self.max_workers, self.initializer, self.initargs)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        super().__exit__(*exc_info)

    def cancel_all(self) -> None:
        if self._pool is not None:
            self._pool.cancel_queued()

    def submit(
        self,
        task: Task[Any, Any],
        parameters: dict[str, Any],
        wait_for: Iterable[Any] | None = None,
        dependencies: dict[str, set[Any]] | None = None,
    ) -> HeadwaterConcurrentFuture[Any]:
        call = self.prepare(task, parameters, wait_for, dependencies)
        assert self._pool is not None
        future: cf.Future[Any] = cf.Future()
        self._pool.put(call, future)
        return HeadwaterConcurrentFuture(call.task_run, future)

    def __repr__(self) -> str:
        return f"ProcessPoolTaskRunner(max_workers={self._requested_workers})"


class _WorkerPool:
    def __init__(self, size: int, initializer: Any, initargs: tuple[Any, ...]) -> None:
        self.size = size
        self.initializer = initializer
        self.initargs = initargs
        self.jobs: queue.SimpleQueue[tuple[TaskCall, cf.Future[Any]] | None] = queue.SimpleQueue()
        self.slots: list[_Slot] = []
        #: jobs queued or running; a new worker starts only when all are busy
        self.outstanding = 0
        self.lock = threading.Lock()

    def put(self, call: TaskCall, future: cf.Future[Any]) -> None:
        with self.lock:
            self.outstanding += 1
            if self.outstanding > len(self.slots) and len(self.slots) < self.size:
                slot = _Slot(self)
                self.slots.append(slot)
                slot.thread.start()
        self.jobs.put((call, future))

    def job_done(self) -> None:
        with self.lock:
            self.outstanding -= 1

    def cancel_queued(self) -> None:
        while True:
            try:
                job = self.jobs.get_nowait()
            except queue.Empty:
                return
            if job is not None:
                job[1].cancel()
                self.job_done()

    def shutdown(self) -> None:
        for _ in self.slots:
            self.jobs.put(None)
        for slot in self.slots:
            slot.thread.join()
        self.slots.clear()


class _Slot:
    """One worker process and the thread that feeds it."""

    def __init__(self, pool: _WorkerPool) -> None:
        self.pool = pool
        self.process: Any = None
        self.conn: Connection | None = None
        self.thread = threading.Thread(target=self.loop, daemon=True, name="headwater-process-slot")

    def loop(self) -> None:
        try:
            while True:
                job = self.pool.jobs.get()
                if job is None:
                    return
                call, future = job
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(self.execute(call))
                    except BaseException as exc:
                        future.set_exception(exc)
                self.pool.job_done()
        finally:
            self.stop()

    def execute(self, call: TaskCall) -> Any:
        import cloudpickle

        from headwater.engine.crashes import crash_task_run
        from headwater.engine.remote import finish_remote, prepare_remote, unsendable
        from headwater.states import State

        remote = prepare_remote(call)
        if isinstance(remote, State):
            return remote
        try:
            payload = cloudpickle.dumps(remote)
        except Exception as exc:
            return unsendable(call, exc, "a worker process")
        conn = self.ensure_process()
        try:
            conn.send_bytes(payload)
            reply = conn.recv_bytes()
        except (EOFError, OSError) as exc:
            code = self.reap()
            return crash_task_run(
                call.task_run,
                RuntimeError(
                    f"worker process exited with code {code} while running it ({type(exc).__name__})"
                ),
                call.recorder,
            )
        outcome = cloudpickle.loads(reply)
        state = finish_remote(call, outcome)
        if outcome.abandoned_threads:
            self.reap(kill=True)
        return state

    def ensure_process(self) -> Connection:
        if self.process is not None and self.process.is_alive() and self.conn is not None:
            return self.conn
        self.reap()
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(
            target=_worker_main,
            args=(child, self.pool.initializer, self.pool.initargs),
            daemon=True,
            name="headwater-task-worker",
        )
        self.process.start()
        child.close()
        self.conn = parent
        return parent

    def reap(self, kill: bool = False) -> int | None:
        proc, self.process = self.process, None
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if proc is None:
            return None
        if kill and proc.is_alive():
            proc.kill()
        proc.join(5)
        return proc.exitcode  # type: ignore[no-any-return]

    def stop(self) -> None:
        if self.conn is not None:
            try:
                self.conn.send_bytes(b"")
            except OSError:
                pass
        proc = self.process
        if proc is not None:
            proc.join(5)
            if proc.is_alive():
                proc.kill()
                proc.join(1)
        self.reap()


def _worker_main(conn: Connection, initializer: Any, initargs: tuple[Any, ...]) -> None:
    """Worker process: receive calls, run them, send outcomes, until told to stop."""
    import cloudpickle

    from headwater.engine.remote import dumps_outcome, run_remote

    if initializer is not None:
        initializer(*initargs)
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        if not data:
            return
        outcome = run_remote(cloudpickle.loads(data))
        conn.send_bytes(dumps_outcome(outcome))
        if outcome.abandoned_threads:
            conn.close()
            os._exit(0)
