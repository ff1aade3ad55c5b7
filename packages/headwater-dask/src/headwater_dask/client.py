"""`get_dask_client()` / `get_async_dask_client()`: Dask inside a task.

A task running on a Dask worker may want to compute Dask collections across
the same cluster. These context managers give it a `distributed.Client` for
the cluster its flow runs on: on a worker, the worker's own client (seceding
from the worker's thread pool, so a task waiting on its sub-computations
never deadlocks a one-thread worker); in the orchestrating process, a client
connected to the flow's DaskTaskRunner.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import distributed


def _scheduler_address() -> str:
    """The scheduler of this worker, or of the current flow's DaskTaskRunner."""
    import distributed

    try:
        return distributed.get_worker().scheduler.address  # type: ignore[no-any-return]
    except ValueError:
        pass
    from headwater.context import FlowRunContext

    ctx = FlowRunContext.get()
    runner = getattr(ctx, "task_runner", None)
    client = getattr(runner, "_client", None)
    if client is None:
        raise RuntimeError(
            "get_dask_client() works inside a task run by DaskTaskRunner (or a flow using it)"
        )
    return client.scheduler.address  # type: ignore[no-any-return]


def _in_worker_thread() -> bool:
    # The thread-local distributed's workers set per task (distributed.utils
    # re-imports it from here without exporting it).
    from dask.context import thread_state

    return hasattr(thread_state, "execution_state")


@contextmanager
def get_dask_client(timeout: Any = None, **client_kwargs: Any) -> Iterator[distributed.Client]:
    """A `distributed.Client` for the cluster this task runs on (Prefect's signature)."""
    import distributed

    if not client_kwargs and _in_worker_thread():
        with distributed.worker_client(timeout=timeout, separate_thread=True) as client:
            yield client
        return
    kwargs: dict[str, Any] = {"set_as_default": False, **client_kwargs}
    if timeout is not None:
        kwargs["timeout"] = timeout
    with distributed.Client(_scheduler_address(), **kwargs) as client:
        yield client


@asynccontextmanager
async def get_async_dask_client(
    timeout: Any = None, **client_kwargs: Any
) -> AsyncIterator[distributed.Client]:
    """The asynchronous variant, for `async` tasks: `async with get_async_dask_client() as c`."""
    import distributed

    kwargs: dict[str, Any] = {"set_as_default": False, **client_kwargs, "asynchronous": True}
    if timeout is not None:
        kwargs["timeout"] = timeout
    async with distributed.Client(_scheduler_address(), **kwargs) as client:
        yield client
