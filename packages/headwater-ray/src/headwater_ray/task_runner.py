"""RayTaskRunner: submitted task runs execute on Ray.

Prefect's API and lifetime rules, kept: local Ray by default (an already
initialised Ray is reused), any cluster by `address`; Ray is shut down at
the end only if this runner started it. Underneath, each task run travels as
compact bytes to one module-level remote function; the worker runs the whole
engine (retries, timeouts, hooks, log capture) and sends back states, logs
and the result, which this process records. Ray workers need no headwater
settings, database or server (Prefect issue #18485), and results never stay
on worker-local storage (#15539).

Ray's own retry on worker death is off by default (`max_retries=0`), so a
worker that dies ends its task run Crashed at once; `remote_options` may turn
it back on. Upstream futures are resolved here before a dependent run is
submitted, deferred until they finish, so `submit()` never blocks.
"""

from __future__ import annotations

import concurrent.futures as cf
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from headwater.engine.packing import TaskPacker, run_packed, when_ready
from headwater.task_runners.base import TaskRunner

from headwater_ray.context import current_remote_options
from headwater_ray.futures import HeadwaterRayFuture, OutcomeCollector, lost_state

if TYPE_CHECKING:
    from headwater.engine.task_call import TaskCall
    from headwater.tasks import Task

#: options every submission gets unless `remote_options` says otherwise
DEFAULT_REMOTE_OPTIONS: dict[str, Any] = {"max_retries": 0}


class RayTaskRunner(TaskRunner[HeadwaterRayFuture[Any]]):
    """Runs submitted tasks on Ray (Prefect's `prefect_ray.RayTaskRunner` API)."""

    short_name = "ray"

    def __init__(
        self, address: str | None = None, init_kwargs: dict[str, Any] | None = None
    ) -> None:
        super().__init__()
        self.address = address
        self.init_kwargs = dict(init_kwargs or {})
        self.init_kwargs.setdefault("namespace", "headwater")
        self._started_ray = False
        self._collector: OutcomeCollector | None = None
        self._remote: Any = None
        self._remote_fn: Any = None
        self._packer = TaskPacker()
        self._futures: list[cf.Future[Any]] = []
        self._lock = threading.Lock()

    def duplicate(self) -> RayTaskRunner:
        return type(self)(address=self.address, init_kwargs=self.init_kwargs)

    # --- lifetime -----------------------------------------------------------------
    def __enter__(self) -> RayTaskRunner:
        super().__enter__()
        import ray

        try:
            if ray.is_initialized():
                self.logger.info("Using the Ray instance already initialised in this process")
            else:
                self._init_ray(ray)
        except BaseException:
            self._started = False
            raise
        self._remote_fn = ray.remote(run_packed)
        self._remote = self._remote_fn.options(**DEFAULT_REMOTE_OPTIONS)
        self._collector = OutcomeCollector()
        return self

    def _init_ray(self, ray: Any) -> None:
        where = self.address if self.address not in (None, "auto") else "a local Ray instance"
        self.logger.info(
            f"Starting {where}" if self.address is None else f"Connecting to Ray at {where}"
        )
        if self.address not in (None, "auto", "local"):
            _check_reachable(self.address)
        try:
            ray.init(self.address, **self.init_kwargs)
        except (ConnectionError, TimeoutError, OSError) as exc:
            raise ConnectionError(
                f"RayTaskRunner could not connect to Ray at {self.address!r}: {exc}"
            ) from exc
        except (Exception, SystemExit) as exc:  # Ray's core worker exits when GCS can't be found
            if self.address is None:
                raise
            raise ConnectionError(
                f"RayTaskRunner could not connect to Ray at {self.address!r}: {exc}"
            ) from exc
        self._started_ray = True

    def __exit__(self, *exc_info: Any) -> None:
        try:
            cf.wait(self._futures)
        finally:
            self._futures = []
            collector, self._collector = self._collector, None
            if collector is not None:
                collector.stop()
            self._remote = self._remote_fn = None
            if self._started_ray:
                import ray

                self._started_ray = False
                ray.shutdown()
            super().__exit__(*exc_info)

    def cancel_all(self) -> None:
        """Cancel every run still on Ray; they end Cancelled."""
        if self._collector is not None:
            self._collector.cancel_all()

    # --- submitting -----------------------------------------------------------------
    def submit(
        self,
        task: Task[Any, Any],
        parameters: dict[str, Any],
        wait_for: Iterable[Any] | None = None,
        dependencies: dict[str, set[Any]] | None = None,
    ) -> HeadwaterRayFuture[Any]:
        call = self.prepare(task, parameters, wait_for, dependencies)
        future: cf.Future[Any] = cf.Future()
        self._futures.append(future)
        options = current_remote_options()
        wrapped: HeadwaterRayFuture[Any] = HeadwaterRayFuture(call.task_run, future)
        when_ready(call, lambda: self._dispatch(call, future, options, wrapped))
        return wrapped

    def _dispatch(
        self,
        call: TaskCall,
        future: cf.Future[Any],
        options: dict[str, Any],
        wrapped: HeadwaterRayFuture[Any],
    ) -> None:
        """Resolve inputs (all final by now), pack, and hand the run to Ray."""
        from headwater.engine.remote import prepare_remote, unsendable
        from headwater.states import State

        try:
            remote = prepare_remote(call)
            if isinstance(remote, State):
                future.set_result(remote)
                return
            try:
                packed = self._packer.pack(remote)
            except Exception as exc:
                future.set_result(unsendable(call, exc, "Ray"))
                return
            fn, collector = self._remote, self._collector
            if fn is None or collector is None:
                raise RuntimeError("the Ray task runner was closed before this run could start")
            if options:
                fn = self._remote_fn.options(**{**DEFAULT_REMOTE_OPTIONS, **options})
            ref = fn.remote(*packed)
            wrapped.object_ref = ref
            collector.track(ref, call, future)
        except BaseException as exc:
            future.set_result(lost_state(call, exc))

    def __repr__(self) -> str:
        return f"RayTaskRunner(address={self.address!r})"


def _check_reachable(address: str, timeout: float = 5.0) -> None:
    """Fail fast, naming the address: Ray itself retries an unreachable GCS for minutes."""
    import socket

    host, _, port = address.split("://", 1)[-1].rpartition(":")
    if not host or not port.isdigit():
        return  # not host:port; let Ray judge it
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        raise ConnectionError(
            f"RayTaskRunner could not connect to Ray at {address!r}: {exc}"
        ) from exc
