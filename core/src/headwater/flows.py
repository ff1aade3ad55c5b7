"""`@flow`: a function whose call is a tracked flow run that coordinates tasks.

The flow run's state follows its return value or raised exception (Prefect 3
rule); tasks submitted inside it run on its task runner. No server is needed:
runs are recorded in the embedded store (see headwater.history).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Concatenate, Generic, Literal, TypeVar, overload

from typing_extensions import ParamSpec

from headwater.callables import CallShape, MethodDescriptor, unwrap_method
from headwater.options import (
    HookDecorators,
    check_flow_retry_delay,
    check_hooks,
    check_name,
    check_reserved_parameters,
    check_retries,
    check_timeout,
)
from headwater.utilities.loops import loop_running

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from headwater.option_types import (
        FlowOptions,
        ResultSerializerOption,
        ResultStorageOption,
        StateHook,
        TaskRunnerOption,
    )
    from headwater.states import State

P = ParamSpec("P")
R = TypeVar("R", covariant=True)
T = TypeVar("T")
Q = ParamSpec("Q")

__all__ = ["Flow", "flow"]


class Flow(MethodDescriptor, HookDecorators, Generic[P, R]):
    """A flow: a function plus how its runs behave.

    `Flow[P, R]` keeps the function's signature for type checkers: calling it
    returns `R` (a coroutine of it for an `async def`), or `State[R]` with
    `return_state=True`.
    """

    def __init__(
        self,
        fn: Callable[P, R],
        name: str | None = None,
        version: str | None = None,
        flow_run_name: str | Callable[[], str] | None = None,
        retries: int | None = None,
        retry_delay_seconds: float | None = None,
        task_runner: TaskRunnerOption = None,
        description: str | None = None,
        timeout_seconds: float | None = None,
        validate_parameters: bool = True,
        persist_result: bool | None = None,
        result_storage: ResultStorageOption = None,
        result_serializer: ResultSerializerOption = None,
        cache_result_in_memory: bool = True,
        log_prints: bool | None = None,
        on_completion: list[StateHook] | None = None,
        on_failure: list[StateHook] | None = None,
        on_cancellation: list[StateHook] | None = None,
        on_crashed: list[StateHook] | None = None,
        on_running: list[StateHook] | None = None,
    ) -> None:
        fn, self.method_kind = unwrap_method(fn)
        if not callable(fn):
            raise TypeError(f"@flow needs a function, got {type(fn).__name__}: {fn!r}")
        self.fn = fn
        self.isasync = inspect.iscoroutinefunction(fn)
        self.name = check_name(name, fn, kind="flow", dash=True)
        check_reserved_parameters(fn, self.name, "flow")
        self.shape = CallShape(fn)
        self._version = version
        self.flow_run_name = flow_run_name
        if (
            flow_run_name is not None
            and not isinstance(flow_run_name, str)
            and not callable(flow_run_name)
        ):
            raise TypeError(
                "flow_run_name must be a string template or a callable returning a string"
            )
        self.retries = check_retries(retries, f"flow {self.name!r}")
        self.retry_delay_seconds = check_flow_retry_delay(
            retry_delay_seconds, f"flow {self.name!r}"
        )
        self.task_runner = _resolve_task_runner(task_runner)
        self.description = description if description is not None else inspect.getdoc(fn)
        self.timeout_seconds = check_timeout(timeout_seconds, f"flow {self.name!r}")
        self.should_validate_parameters = validate_parameters
        self._validator: Any = None
        if validate_parameters:
            self._check_validatable()
        self.persist_result = persist_result
        self.result_storage = result_storage
        self.result_serializer = result_serializer
        self.cache_result_in_memory = cache_result_in_memory
        self.log_prints = log_prints
        self.on_completion_hooks = check_hooks(on_completion, "on_completion")
        self.on_failure_hooks = check_hooks(on_failure, "on_failure")
        self.on_cancellation_hooks = check_hooks(on_cancellation, "on_cancellation")
        self.on_crashed_hooks = check_hooks(on_crashed, "on_crashed")
        self.on_running_hooks = check_hooks(on_running, "on_running")
        self.__doc__ = getattr(fn, "__doc__", None)
        self.__name__ = getattr(fn, "__name__", self.name)
        self.__qualname__ = getattr(fn, "__qualname__", self.name)
        self.__module__ = getattr(fn, "__module__", None)  # type: ignore[assignment]
        self.__wrapped__ = fn

    @property
    def version(self) -> str | None:
        """The given version, or a hash of the flow's source file (computed once)."""
        if self._version is None:
            from headwater.utilities.hashing import file_hash

            path = inspect.getsourcefile(self.fn) if inspect.isfunction(self.fn) else None
            self._version = file_hash(path) if path else None
        return self._version

    def _check_validatable(self) -> None:
        for p in self.shape.signature.parameters.values():
            if p.name.startswith("__"):
                raise ValueError(
                    f"Flow {self.name!r} has parameter {p.name!r}; double-underscore names can't be "
                    "validated. Rename it or pass validate_parameters=False."
                )

    def validate_parameters(self, parameters: dict[str, Any]) -> dict[str, Any]:
        if self._validator is None:
            from headwater.engine.parameters import ParameterValidator

            self._validator = ParameterValidator(self)
        return self._validator.validate(parameters)  # type: ignore[no-any-return]

    def with_options(self, **options: Unpack[FlowOptions]) -> Flow[P, R]:
        """A copy of this flow with some options changed (same names as @flow)."""
        unknown = set(options) - _FLOW_OPTIONS
        if unknown:
            raise TypeError(
                f"with_options() got unexpected option(s): {', '.join(sorted(unknown))}"
            )
        current: dict[str, Any] = {
            "name": self.name,
            "version": self._version,
            "flow_run_name": self.flow_run_name,
            "retries": self.retries,
            "retry_delay_seconds": self.retry_delay_seconds,
            "task_runner": self.task_runner,
            "description": self.description,
            "timeout_seconds": self.timeout_seconds,
            "validate_parameters": self.should_validate_parameters,
            "persist_result": self.persist_result,
            "result_storage": self.result_storage,
            "result_serializer": self.result_serializer,
            "cache_result_in_memory": self.cache_result_in_memory,
            "log_prints": self.log_prints,
            "on_completion": self.on_completion_hooks,
            "on_failure": self.on_failure_hooks,
            "on_cancellation": self.on_cancellation_hooks,
            "on_crashed": self.on_crashed_hooks,
            "on_running": self.on_running_hooks,
        }
        current.update(options)
        fn: Any = self.fn
        if self.method_kind in ("classmethod", "staticmethod"):
            fn = classmethod(fn) if self.method_kind == "classmethod" else staticmethod(fn)
        changed = type(self)(fn, **current)
        changed.method_kind = self.method_kind  # a bound copy stays bound
        return changed

    def on_cancellation(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        self.on_cancellation_hooks.append(fn)
        return fn

    def on_crashed(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        self.on_crashed_hooks.append(fn)
        return fn

    # Type checkers: `instance.method` drops `self` from the signature.
    @overload
    def __get__(self, instance: None, owner: type | None = None) -> Flow[P, R]: ...
    @overload
    def __get__(
        self: Flow[Concatenate[Any, Q], T], instance: object, owner: type | None = None
    ) -> Flow[Q, T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> Flow[P, R]: ...
    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        bound = MethodDescriptor.__get__(self, instance, owner)
        if bound is not self:
            bound._validator = None  # built from the unbound signature, which has `self`
        return bound

    # The overloads mirror Prefect's (see Task.__call__).
    @overload
    def __call__(self: Flow[P, T], *args: P.args, **kwargs: P.kwargs) -> T: ...
    @overload
    def __call__(
        self: Flow[..., T],
        *args: Any,
        return_state: Literal[True],
        wait_for: Any = None,
        **kwargs: Any,
    ) -> State[T]: ...
    @overload
    def __call__(
        self: Flow[..., T],
        *args: Any,
        return_state: Literal[False],
        wait_for: Any = None,
        **kwargs: Any,
    ) -> T: ...
    @overload
    def __call__(
        self: Flow[..., T],
        *args: Any,
        wait_for: Any,
        return_state: Literal[False] = False,
        **kwargs: Any,
    ) -> T: ...
    def __call__(  # type: ignore[misc]  # same: a function parameter may be named return_state
        self: Flow[..., Any],
        *args: Any,
        return_state: bool = False,
        wait_for: Any = None,
        **kwargs: Any,
    ) -> Any:
        from headwater.engine.flow_call import FlowCall
        from headwater.graphs.tracking import get_task_viz_tracker, track_viz_call

        tracker = get_task_viz_tracker()
        if tracker is not None:  # a subflow inside flow.visualize(): one node, not run
            params = self.shape.bind(args, kwargs)
            return track_viz_call(tracker, self.name, self.isasync, params, wait_for)
        if wait_for is not None:
            _wait_for_upstream(wait_for)
        from headwater.engine.parameters import bind_arguments

        parameters = bind_arguments("flow", self.name, self.shape, args, kwargs)
        call = FlowCall.create(self, parameters, wait_for=wait_for)
        if self.isasync:
            return call.arun_and_return(return_state)
        return call.run_and_return(return_state)

    # --- graphs without running (headwater.graphs) -------------------------------
    def visualize(self, *args: Any, **kwargs: Any) -> Any:
        """Draw the flow's task graph with graphviz (`<flow name>.png`), running no task.
        Inside a running event loop this returns a coroutine to await, unless
        `_sync=True` (as Prefect's)."""
        from headwater.graphs import visualize as viz

        sync = kwargs.pop("_sync", None)
        if not sync if sync is not None else loop_running():
            return viz.avisualize(self, *args, **kwargs)
        return viz.visualize(self, *args, **kwargs)

    def generate_mermaid_graph(self, *args: Any, **kwargs: Any) -> str:
        """The flow's task graph as Mermaid `flowchart TD` text, running no task."""
        from headwater.graphs.visualize import generate_mermaid_graph

        return generate_mermaid_graph(self, *args, **kwargs)

    async def agenerate_mermaid_graph(self, *args: Any, **kwargs: Any) -> str:
        from headwater.graphs.visualize import agenerate_mermaid_graph

        return await agenerate_mermaid_graph(self, *args, **kwargs)

    def __repr__(self) -> str:
        return f"Flow(name={self.name!r})"


def _wait_for_upstream(wait_for: Any) -> None:
    """`wait_for=` on a flow call: wait until those futures are final (as Prefect's subflows)."""
    from headwater.futures import HeadwaterFuture

    items = [wait_for] if isinstance(wait_for, HeadwaterFuture) else wait_for
    for item in items:
        if isinstance(item, HeadwaterFuture):
            item.wait()


_FLOW_OPTIONS = frozenset(inspect.signature(Flow.__init__).parameters.keys() - {"self", "fn"})


def _resolve_task_runner(task_runner: Any) -> Any:
    from headwater.task_runners.base import TaskRunner

    if task_runner is None:
        from headwater.task_runners.thread import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner()
    if isinstance(task_runner, TaskRunner):
        return task_runner
    if isinstance(task_runner, type) and issubclass(task_runner, TaskRunner):
        return task_runner()
    if isinstance(task_runner, str):
        from headwater.task_runners.registry import get_task_runner_class

        return get_task_runner_class(task_runner)()
    raise TypeError(
        f"task_runner must be a TaskRunner instance, class or registered name, got {task_runner!r}"
    )


@overload
def flow(__fn: Callable[P, R], /, **options: Unpack[FlowOptions]) -> Flow[P, R]: ...
@overload
def flow(
    __fn: None = None, /, **options: Unpack[FlowOptions]
) -> Callable[[Callable[P, R]], Flow[P, R]]: ...
def flow(__fn: Any = None, /, **kwargs: Any) -> Any:
    """Make a function a flow: `@flow` or `@flow(name=..., retries=..., task_runner=...)`."""
    if __fn is not None:
        return Flow(__fn, **kwargs)
    if "name" in kwargs and callable(kwargs["name"]) and not isinstance(kwargs["name"], str):
        raise TypeError(
            "The flow name must be a string; did you mean @flow (no parentheses) or flow_run_name=...?"
        )
    return lambda fn: Flow(fn, **kwargs)
