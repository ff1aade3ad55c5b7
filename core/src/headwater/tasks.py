"""`@task`: a function whose calls are tracked runs with retries, timeouts and caching.

Called inside a flow, a task runs now, in the caller's thread. `.submit()`
hands it to the flow's task runner and returns a future; `.map()` submits one
run per element. Options have Prefect's names and defaults.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import inspect
from collections.abc import Callable, Coroutine, Iterable
from typing import TYPE_CHECKING, Any, Concatenate, Generic, Literal, TypeVar, overload

from typing_extensions import ParamSpec

from headwater.callables import CallShape, MethodDescriptor, unwrap_method
from headwater.graphs.tracking import get_task_viz_tracker
from headwater.options import (
    HookDecorators,
    NotSet,
    check_cache_expiration,
    check_hooks,
    check_jitter,
    check_name,
    check_reserved_parameters,
    check_retries,
    check_timeout,
    normalize_retry_delays,
)
from headwater.unsupported import warn_unsupported
from headwater.utilities.loops import loop_running

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from headwater.futures import HeadwaterFuture, HeadwaterFutureList
    from headwater.option_types import (
        CachePolicyOption,
        ResultSerializerOption,
        ResultStorageOption,
        RetryDelayOption,
        StateHook,
        TaskOptions,
    )
    from headwater.states import State

    #: what `wait_for=` takes: one future, or an iterable of futures or values
    WaitFor = Any

P = ParamSpec("P")
R = TypeVar("R", covariant=True)
T = TypeVar("T")
Q = ParamSpec("Q")

__all__ = ["Task", "exponential_backoff", "task", "task_input_hash"]


def exponential_backoff(backoff_factor: float) -> Callable[[int], list[float]]:
    """Retry delays `backoff_factor * 2**n` for n in range(retries)."""

    def retry_backoff_callable(retries: int) -> list[float]:
        retries = min(retries, 50)
        return [backoff_factor * max(0, 2**r) for r in range(retries)]

    return retry_backoff_callable


def task_input_hash(context: Any, arguments: dict[str, Any]) -> str | None:
    """A cache key from the task's identity, code and inputs (None if unhashable)."""
    from headwater.caching.input_hashing import hash_objects

    task = context.task
    code = getattr(task.fn, "__code__", None)
    return hash_objects(task.task_key, code.co_code.hex() if code else "", arguments)


class Task(MethodDescriptor, HookDecorators, Generic[P, R]):
    """A task: a function plus how its runs behave.

    `Task[P, R]` keeps the function's signature for type checkers: calling it
    returns `R` (a coroutine of it for an `async def`), `.submit()` a
    `HeadwaterFuture[R]`, `.map()` a list of them.
    """

    #: called as `after_final_state(call, state)` once a run's final state is recorded;
    #: None (nothing to call) unless the task touches assets (headwater.assets)
    after_final_state: Callable[[Any, State], None] | None = None

    def __init__(
        self,
        fn: Callable[P, R],
        name: str | None = None,
        description: str | None = None,
        tags: Iterable[str] | None = None,
        version: str | None = None,
        cache_policy: CachePolicyOption = NotSet,
        cache_key_fn: Callable[..., str | None] | None = None,
        cache_expiration: datetime.timedelta | None = None,
        task_run_name: str | Callable[..., str] | None = None,
        retries: int | None = None,
        retry_delay_seconds: RetryDelayOption = None,
        retry_jitter_factor: float | None = None,
        persist_result: bool | None = None,
        result_storage: ResultStorageOption = None,
        result_serializer: ResultSerializerOption = None,
        result_storage_key: str | None = None,
        cache_result_in_memory: bool = True,
        timeout_seconds: float | None = None,
        log_prints: bool | None = None,
        refresh_cache: bool | None = None,
        on_completion: list[StateHook] | None = None,
        on_failure: list[StateHook] | None = None,
        on_running: list[StateHook] | None = None,
        on_commit: list[StateHook] | None = None,
        on_rollback: list[StateHook] | None = None,
        retry_condition_fn: Callable[..., bool] | None = None,
        viz_return_value: Any = None,
        asset_deps: list[Any] | None = None,
        cache_expiration_seconds: float | None = None,
    ) -> None:
        fn, self.method_kind = unwrap_method(fn)
        if not callable(fn):
            raise TypeError(f"@task needs a function, got {type(fn).__name__}: {fn!r}")
        self.fn = fn
        self.isasync = inspect.iscoroutinefunction(fn)
        self.name = check_name(name, fn, kind="task", dash=False)
        check_reserved_parameters(fn, self.name, "task")
        self.shape = CallShape(fn)
        self.description = description if description is not None else inspect.getdoc(fn)
        self.tags = frozenset(tags or ())
        self.version = version
        if cache_expiration is None and cache_expiration_seconds is not None:
            cache_expiration = datetime.timedelta(seconds=cache_expiration_seconds)
        owner = f"task {self.name!r}"
        cache_expiration = check_cache_expiration(cache_expiration, owner)
        self.cache_policy = cache_policy
        self.cache_key_fn = cache_key_fn
        self.cache_expiration = cache_expiration
        self.refresh_cache = refresh_cache
        self.task_run_name = task_run_name
        self.retries = check_retries(retries, owner)
        self.retry_delay_seconds = normalize_retry_delays(retry_delay_seconds, self.retries, owner)
        self.retry_jitter_factor = check_jitter(retry_jitter_factor, owner)
        self.retry_condition_fn = retry_condition_fn
        self.persist_result = persist_result
        self.result_storage = result_storage
        self.result_serializer = result_serializer
        self.result_storage_key = result_storage_key
        self.cache_result_in_memory = cache_result_in_memory
        self.timeout_seconds = check_timeout(timeout_seconds, owner)
        self.log_prints = log_prints
        self.on_completion_hooks = check_hooks(on_completion, "on_completion")
        self.on_failure_hooks = check_hooks(on_failure, "on_failure")
        self.on_running_hooks = check_hooks(on_running, "on_running")
        self.on_commit_hooks = check_hooks(on_commit, "on_commit")
        self.on_rollback_hooks = check_hooks(on_rollback, "on_rollback")
        self.viz_return_value = viz_return_value
        self.asset_deps = asset_deps
        if asset_deps:
            from headwater.assets.lineage import track_asset_deps

            track_asset_deps(self)
        self.task_key = _task_key(fn)
        #: whether any option asks for caching or persisted results; when not (and the
        #: flow doesn't either), runs skip the caching machinery entirely
        self.uses_results = (
            cache_key_fn is not None
            or (cache_policy is not NotSet and cache_policy is not None)
            or bool(persist_result)
            or result_storage is not None
            or result_serializer is not None
            or result_storage_key is not None
        )
        self.__doc__ = getattr(fn, "__doc__", None)
        self.__name__ = getattr(fn, "__name__", self.name)
        self.__qualname__ = getattr(fn, "__qualname__", self.name)
        self.__module__ = getattr(fn, "__module__", None)  # type: ignore[assignment]
        self.__wrapped__ = fn

    # --- configuration ----------------------------------------------------------
    def with_options(self, **options: Unpack[TaskOptions]) -> Task[P, R]:
        """A copy of this task with some options changed (same names as @task)."""
        unknown = set(options) - _TASK_OPTIONS
        if unknown:
            raise TypeError(
                f"with_options() got unexpected option(s): {', '.join(sorted(unknown))}"
            )
        current = {
            opt: getattr(self, _OPTION_ATTRS.get(opt, opt))
            for opt in _TASK_OPTIONS
            if opt != "cache_expiration_seconds"
        }
        current["tags"] = set(self.tags)
        current.update(options)
        fn: Any = self.fn
        if self.method_kind in ("classmethod", "staticmethod"):
            fn = classmethod(fn) if self.method_kind == "classmethod" else staticmethod(fn)
        changed = type(self)(fn, **current)
        changed.method_kind = self.method_kind  # a bound copy stays bound
        return changed

    # --- running ----------------------------------------------------------------
    # The overloads mirror Prefect's. The plain call keeps the function's signature
    # and returns what it returns (a coroutine for an `async def`). With
    # return_state= or wait_for= the arguments are not checked (a ParamSpec takes
    # no extra keywords), and return_state=True gives State[T] for async tasks too,
    # as Prefect types it, so ported code checks the same (at run time an async
    # task called inside an event loop returns a coroutine: `await` it).
    @overload
    def __call__(self: Task[P, T], *args: P.args, **kwargs: P.kwargs) -> T: ...
    @overload
    def __call__(
        self: Task[..., T],
        *args: Any,
        return_state: Literal[True],
        wait_for: WaitFor = None,
        **kwargs: Any,
    ) -> State[T]: ...
    @overload
    def __call__(
        self: Task[..., T],
        *args: Any,
        return_state: Literal[False],
        wait_for: WaitFor = None,
        **kwargs: Any,
    ) -> T: ...
    @overload
    def __call__(
        self: Task[..., T],
        *args: Any,
        wait_for: WaitFor,
        return_state: Literal[False] = False,
        **kwargs: Any,
    ) -> T: ...
    def __call__(  # type: ignore[misc]  # same: a function parameter may be named return_state
        self: Task[..., Any],
        *args: Any,
        return_state: bool = False,
        wait_for: Any = None,
        **kwargs: Any,
    ) -> Any:
        from headwater.engine.task_call import TaskCall

        parameters = self.shape.bind(args, kwargs)
        tracker = get_task_viz_tracker()
        if tracker is not None:  # flow.visualize(): record a graph node, run nothing
            from headwater.graphs.tracking import track_viz_call

            return track_viz_call(
                tracker, self.name, self.isasync, parameters, wait_for, self.viz_return_value
            )
        call = TaskCall.create(self, parameters, wait_for=wait_for)
        if self.isasync:
            coro = call.arun_and_return(return_state)
            if loop_running():
                return coro
            return asyncio.run(coro)
        return call.run_and_return(return_state)

    @overload
    def submit(  # type: ignore[overload-overlap]  # a P.kwargs could hold return_state
        self: Task[P, Coroutine[Any, Any, T]], *args: P.args, **kwargs: P.kwargs
    ) -> HeadwaterFuture[T]: ...
    @overload
    def submit(self: Task[P, T], *args: P.args, **kwargs: P.kwargs) -> HeadwaterFuture[T]: ...
    @overload
    def submit(
        self: Task[..., Coroutine[Any, Any, T]],
        *args: Any,
        return_state: Literal[True],
        wait_for: WaitFor = None,
        **kwargs: Any,
    ) -> State[T]: ...
    @overload
    def submit(
        self: Task[..., T],
        *args: Any,
        return_state: Literal[True],
        wait_for: WaitFor = None,
        **kwargs: Any,
    ) -> State[T]: ...
    @overload
    def submit(
        self: Task[..., Coroutine[Any, Any, T]],
        *args: Any,
        return_state: Literal[False],
        wait_for: WaitFor = None,
        **kwargs: Any,
    ) -> HeadwaterFuture[T]: ...
    @overload
    def submit(
        self: Task[..., T],
        *args: Any,
        return_state: Literal[False],
        wait_for: WaitFor = None,
        **kwargs: Any,
    ) -> HeadwaterFuture[T]: ...
    @overload
    def submit(
        self: Task[..., Coroutine[Any, Any, T]],
        *args: Any,
        wait_for: WaitFor,
        return_state: Literal[False] = False,
        **kwargs: Any,
    ) -> HeadwaterFuture[T]: ...
    @overload
    def submit(
        self: Task[..., T],
        *args: Any,
        wait_for: WaitFor,
        return_state: Literal[False] = False,
        **kwargs: Any,
    ) -> HeadwaterFuture[T]: ...
    def submit(  # type: ignore[misc]  # same: a function parameter may be named return_state
        self: Task[..., Any],
        *args: Any,
        return_state: bool = False,
        wait_for: Any = None,
        **kwargs: Any,
    ) -> Any:
        """Run on the flow's task runner; returns a future (or the final State)."""
        from headwater.context import FlowRunContext

        tracker = get_task_viz_tracker()
        if tracker is not None:  # flow.visualize(): record a graph node, run nothing
            from headwater.graphs.tracking import track_viz_submit

            params = self.shape.bind(args, kwargs)
            return track_viz_submit(tracker, self.name, params, wait_for, self.viz_return_value)
        ctx = FlowRunContext.get()
        if ctx is None:
            raise RuntimeError(
                f"Unable to submit task {self.name!r} outside of a flow run: "
                "call it directly, or call it from inside a @flow."
            )
        parameters = self.shape.bind(args, kwargs)
        future: HeadwaterFuture[R] = ctx.task_runner.submit(self, parameters, wait_for=wait_for)
        ctx.track_future(future)
        if return_state:
            future.wait()
            return future.state
        return future

    @overload
    def map(
        self: Task[..., Coroutine[Any, Any, T]],
        *args: Any,
        return_state: Literal[True],
        wait_for: WaitFor = None,
        deferred: bool = False,
        **kwargs: Any,
    ) -> list[State[T]]: ...
    @overload
    def map(
        self: Task[..., T],
        *args: Any,
        return_state: Literal[True],
        wait_for: WaitFor = None,
        deferred: bool = False,
        **kwargs: Any,
    ) -> list[State[T]]: ...
    @overload
    def map(
        self: Task[..., Coroutine[Any, Any, T]],
        *args: Any,
        return_state: Literal[False] = False,
        wait_for: WaitFor = None,
        deferred: bool = False,
        **kwargs: Any,
    ) -> HeadwaterFutureList[HeadwaterFuture[T]]: ...
    @overload
    def map(
        self: Task[..., T],
        *args: Any,
        return_state: Literal[False] = False,
        wait_for: WaitFor = None,
        deferred: bool = False,
        **kwargs: Any,
    ) -> HeadwaterFutureList[HeadwaterFuture[T]]: ...
    def map(
        self,
        *args: Any,
        return_state: bool = False,
        wait_for: Any = None,
        deferred: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Submit one run per element of the iterable arguments (others are broadcast)."""
        if deferred:
            warn_unsupported("deferred", f"task {self.name!r}.map()")
        tracker = get_task_viz_tracker()
        if tracker is not None:  # flow.visualize(): record graph nodes, run nothing
            from headwater.graphs.tracking import track_viz_map

            return track_viz_map(tracker, self, self.shape.bind(args, kwargs), wait_for)
        from headwater.context import FlowRunContext

        ctx = FlowRunContext.get()
        if ctx is None:
            raise RuntimeError(
                f"Unable to map task {self.name!r} outside of a flow run: call it from inside a @flow."
            )
        parameters = self.shape.bind(args, kwargs)
        futures: HeadwaterFutureList[Any] = ctx.task_runner.map(self, parameters, wait_for=wait_for)
        for fut in futures:
            ctx.track_future(fut)
        if return_state:
            futures.wait()
            return [f.state for f in futures]
        return futures

    # Type checkers: `instance.method` drops `self` from the signature.
    @overload
    def __get__(self, instance: None, owner: type | None = None) -> Task[P, R]: ...
    @overload
    def __get__(
        self: Task[Concatenate[Any, Q], T], instance: object, owner: type | None = None
    ) -> Task[Q, T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> Task[P, R]: ...
    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        return MethodDescriptor.__get__(self, instance, owner)

    def __repr__(self) -> str:
        return f"Task(name={self.name!r}, fn={self.__qualname__})"

    def on_commit(self, fn: Callable[[Any], None]) -> Callable[[Any], None]:
        """Decorator: run `fn(transaction)` when this task's transaction commits."""
        self.on_commit_hooks.append(fn)
        return fn

    def on_rollback(self, fn: Callable[[Any], None]) -> Callable[[Any], None]:
        """Decorator: run `fn(transaction)` when this task's transaction rolls back."""
        self.on_rollback_hooks.append(fn)
        return fn


def _task_key(fn: Callable[..., Any]) -> str:
    qualname = getattr(fn, "__qualname__", type(fn).__name__)
    module = getattr(fn, "__module__", "") or ""
    digest = hashlib.sha256(f"{module}.{qualname}".encode()).hexdigest()[:10]
    return f"{qualname}-{digest}"


_TASK_OPTIONS = frozenset(inspect.signature(Task.__init__).parameters.keys() - {"self", "fn"})
_OPTION_ATTRS = {
    "on_completion": "on_completion_hooks",
    "on_failure": "on_failure_hooks",
    "on_running": "on_running_hooks",
    "on_commit": "on_commit_hooks",
    "on_rollback": "on_rollback_hooks",
}


@overload
def task(__fn: Callable[P, R], /, **options: Unpack[TaskOptions]) -> Task[P, R]: ...
@overload
def task(
    __fn: None = None, /, **options: Unpack[TaskOptions]
) -> Callable[[Callable[P, R]], Task[P, R]]: ...
def task(__fn: Any = None, /, **options: Any) -> Any:
    """Make a function a task: `@task` or `@task(retries=3, timeout_seconds=10, ...)`."""
    if __fn is not None:
        return Task(__fn, **options)
    return lambda fn: Task(fn, **options)
