"""DaskTaskRunner: submitted task runs execute on a Dask cluster.

Prefect's constructor and rules, kept: a temporary `LocalCluster` by default
(closed when the flow run ends), an existing cluster by `address` or object,
any cluster class by import path or class. What differs is underneath: each
task run is shipped as compact bytes to a module-level function, the worker
runs the whole engine and sends back its states, logs and result, and this
process records them, so workers need no database, server or settings.

Upstream futures are resolved here, in the orchestrator, before a dependent
run is submitted (the submission is deferred until its upstreams finish, so
`submit()` never blocks). A completed result therefore never lives only on a
worker, and a worker that dies can only lose the runs it was running.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

from headwater.engine.packing import run_packed
from headwater.task_runners.remote import PackedCall, RemoteError, RemoteRun, RemoteTaskRunner

from headwater_dask.futures import DaskWorkerDiedError, HeadwaterDaskFuture, OutcomeCollector

if TYPE_CHECKING:
    import distributed

#: Dask's exceptions meaning "the worker running it is gone", by class name
_LOST = {"KilledWorker", "CommClosedError"}


class DaskTaskRunner(RemoteTaskRunner[HeadwaterDaskFuture[Any]]):
    """Runs submitted tasks on Dask (Prefect's `prefect_dask.DaskTaskRunner` API).

    A temporary LocalCluster lets a worker that dies end its task run Crashed at
    once (the scheduler's `allowed-failures` is 0 there); an existing cluster
    keeps its own setting, so Dask may retry such a run on another worker first.
    """

    short_name = "dask"
    backend_name = "Dask"
    future_class = HeadwaterDaskFuture
    worker_lost_error = DaskWorkerDiedError

    def __init__(
        self,
        cluster: Any = None,
        address: str | None = None,
        cluster_class: str | type[Any] | None = None,
        cluster_kwargs: dict[str, Any] | None = None,
        adapt_kwargs: dict[str, Any] | None = None,
        client_kwargs: dict[str, Any] | None = None,
        performance_report_path: str | None = None,
    ) -> None:
        super().__init__()
        if address:
            if cluster or cluster_class or cluster_kwargs or adapt_kwargs:
                raise ValueError(
                    "Cannot specify `address` and `cluster`/`cluster_class`/`cluster_kwargs`/`adapt_kwargs`"
                )
        elif cluster is not None and (cluster_class or cluster_kwargs):
            raise ValueError("Cannot specify `cluster` and `cluster_class`/`cluster_kwargs`")
        client_kwargs = dict(client_kwargs or {})
        cluster_kwargs = dict(cluster_kwargs or {})
        for kwargs, what in ((client_kwargs, "client_kwargs"), (cluster_kwargs, "cluster_kwargs")):
            if "asynchronous" in kwargs:
                raise ValueError(f"`asynchronous` cannot be specified in {what}")
        client_kwargs.setdefault("set_as_default", False)
        self.cluster = cluster
        self.address = address
        self.cluster_class = cluster_class
        self.cluster_kwargs = cluster_kwargs
        self.adapt_kwargs = dict(adapt_kwargs or {})
        self.client_kwargs = client_kwargs
        self.performance_report_path = performance_report_path
        self._client: distributed.Client | None = None
        self._owned_cluster: Any = None
        self._report: Any = None
        self._collector: OutcomeCollector | None = None

    def duplicate(self) -> DaskTaskRunner:
        return type(self)(
            cluster=self.cluster,
            address=self.address,
            cluster_class=self.cluster_class,
            cluster_kwargs=self.cluster_kwargs or None,
            adapt_kwargs=self.adapt_kwargs or None,
            client_kwargs=self.client_kwargs,
            performance_report_path=self.performance_report_path,
        )

    @property
    def client(self) -> distributed.Client:
        """The `distributed.Client` of a started runner."""
        if self._client is None:
            raise RuntimeError("The task runner must be started before using its client.")
        return self._client

    # --- lifetime -----------------------------------------------------------------
    def __enter__(self) -> DaskTaskRunner:
        super().__enter__()
        return self

    def start_backend(self) -> None:
        self._connect()
        self._collector = OutcomeCollector(self.client)

    def _connect(self) -> None:
        import distributed

        if self.address:
            self.logger.info(f"Connecting to an existing Dask cluster at {self.address}")
            try:
                self._client = distributed.Client(self.address, **self.client_kwargs)
            except (OSError, TimeoutError) as exc:
                raise ConnectionError(
                    f"DaskTaskRunner could not connect to the Dask scheduler at {self.address!r}: {exc}"
                ) from exc
        elif self.cluster is not None:
            self._client = distributed.Client(self.cluster, **self.client_kwargs)
        else:
            cluster_class = _import_cluster_class(self.cluster_class)
            kwargs = dict(self.cluster_kwargs)
            no_bokeh = importlib.util.find_spec("bokeh") is None
            if cluster_class is distributed.LocalCluster and no_bokeh:
                kwargs.setdefault("dashboard_address", None)
            self.logger.info(f"Creating a new Dask cluster with {_qualname(cluster_class)}")
            import dask

            with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
                self._owned_cluster = cluster_class(**kwargs)
            if self.adapt_kwargs:
                self._owned_cluster.adapt(**self.adapt_kwargs)
            self._client = distributed.Client(self._owned_cluster, **self.client_kwargs)
        if importlib.util.find_spec("bokeh") is not None:  # no bokeh, no dashboard
            self.logger.info(f"The Dask dashboard is available at {self._client.dashboard_link}")
        if self.performance_report_path:
            if importlib.util.find_spec("bokeh") is None:
                raise ImportError(
                    "DaskTaskRunner(performance_report_path=...) needs bokeh: pip install bokeh"
                )
            self._report = distributed.performance_report(filename=self.performance_report_path)
            with self._client.as_current():
                self._report.__enter__()

    def stop_backend(self) -> None:
        collector, self._collector = self._collector, None
        if collector is not None:
            collector.stop()
        client, self._client = self._client, None
        if self._report is not None and client is not None:
            try:
                with client.as_current():
                    self._report.__exit__(None, None, None)
            finally:
                self._report = None
        if client is not None:
            client.close()
        cluster, self._owned_cluster = self._owned_cluster, None
        if cluster is not None:
            cluster.close()

    def cancel_all(self) -> None:
        """Cancel every run still on the cluster; they end Cancelled."""
        if self._collector is not None:
            self._collector.cancel_all()

    # --- the backend's side of a remote run ----------------------------------------------
    def send(self, run: RemoteRun, packed: PackedCall) -> None:
        collector, client = self._collector, self._client
        if collector is None or client is None:
            raise RuntimeError("the Dask task runner was closed before this run could start")
        dask_future = client.submit(run_packed, *packed, key=run.key, pure=False)
        collector.track(dask_future, run)

    def classify_error(self, exc: BaseException) -> RemoteError:
        kind = type(exc).__name__
        if kind == "FutureCancelledError":
            return RemoteError.CANCELLED
        if kind in _LOST or isinstance(exc, OSError):
            return RemoteError.WORKER_LOST
        return RemoteError.FAILED

    def __repr__(self) -> str:
        where = (
            f"address={self.address!r}" if self.address else f"cluster_class={self.cluster_class!r}"
        )
        return f"DaskTaskRunner({where})"


def _import_cluster_class(cluster_class: str | type[Any] | None) -> type[Any]:
    if cluster_class is None:
        import distributed

        return distributed.LocalCluster
    if not isinstance(cluster_class, str):
        return cluster_class
    module_name, _, attr = cluster_class.rpartition(".")
    try:
        if not module_name:
            raise ImportError("expected a dotted path such as 'distributed.LocalCluster'")
        return getattr(importlib.import_module(module_name), attr)  # type: ignore[no-any-return]
    except (ImportError, AttributeError) as exc:
        raise ImportError(
            f"DaskTaskRunner could not import cluster_class {cluster_class!r}: {exc}"
        ) from exc


def _qualname(cls: type[Any]) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"
