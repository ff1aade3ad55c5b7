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

from typing import Any

from headwater.engine.packing import run_packed
from headwater.task_runners.remote import PackedCall, RemoteError, RemoteRun, RemoteTaskRunner

from headwater_ray.context import current_remote_options
from headwater_ray.futures import LOST, HeadwaterRayFuture, OutcomeCollector, RayWorkerDiedError

#: options every submission gets unless `remote_options` says otherwise
DEFAULT_REMOTE_OPTIONS: dict[str, Any] = {"max_retries": 0}


class RayTaskRunner(RemoteTaskRunner[HeadwaterRayFuture[Any]]):
    """Runs submitted tasks on Ray (Prefect's `prefect_ray.RayTaskRunner` API)."""

    short_name = "ray"
    backend_name = "Ray"
    future_class = HeadwaterRayFuture
    worker_lost_error = RayWorkerDiedError

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

    def duplicate(self) -> RayTaskRunner:
        return type(self)(address=self.address, init_kwargs=self.init_kwargs)

    # --- lifetime -----------------------------------------------------------------
    def __enter__(self) -> RayTaskRunner:
        super().__enter__()
        return self

    def start_backend(self) -> None:
        import ray

        if ray.is_initialized():
            self.logger.info("Using the Ray instance already initialised in this process")
        else:
            self._init_ray(ray)
        self._remote_fn = ray.remote(run_packed)
        self._remote = self._remote_fn.options(**DEFAULT_REMOTE_OPTIONS)
        self._collector = OutcomeCollector()

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

    def stop_backend(self) -> None:
        collector, self._collector = self._collector, None
        if collector is not None:
            collector.stop()
        self._remote = self._remote_fn = None
        if self._started_ray:
            import ray

            self._started_ray = False
            ray.shutdown()

    def cancel_all(self) -> None:
        """Cancel every run still on Ray; they end Cancelled."""
        if self._collector is not None:
            self._collector.cancel_all()

    # --- the backend's side of a remote run ----------------------------------------------
    def capture_options(self) -> dict[str, Any]:
        """The `remote_options(...)` in effect where the task was submitted."""
        return current_remote_options()

    def send(self, run: RemoteRun, packed: PackedCall) -> None:
        fn, collector = self._remote, self._collector
        if fn is None or collector is None:
            raise RuntimeError("the Ray task runner was closed before this run could start")
        if run.options:
            fn = self._remote_fn.options(**{**DEFAULT_REMOTE_OPTIONS, **run.options})
        ref = fn.remote(*packed)
        run.future.object_ref = ref  # type: ignore[attr-defined]
        collector.track(ref, run)

    def classify_error(self, exc: BaseException) -> RemoteError:
        kind = type(exc).__name__
        if kind == "TaskCancelledError":
            return RemoteError.CANCELLED
        if kind in LOST:
            return RemoteError.WORKER_LOST
        return RemoteError.FAILED

    def error_shown(self, exc: BaseException) -> BaseException:
        """A task that could not start on Ray: the worker's own error, not Ray's wrapper."""
        cause = getattr(exc, "cause", None)
        return cause if isinstance(cause, BaseException) else exc

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
