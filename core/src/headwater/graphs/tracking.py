"""Recording a flow's task graph without running its tasks (`flow.visualize()`).

While a `TaskVizTracker` is active (a context variable this module owns), task
calls, `.submit()` and `.map()` do not run: each adds a `VizTask` node whose
upstream nodes are the placeholders (or tracked `viz_return_value` objects)
found among its arguments and in `wait_for`, and returns the task's
`viz_return_value` if it has one, else a placeholder. Node names are
`<task name>-<n>`, counted per task, as Prefect names them. A subflow call
becomes one node. Prefect raises VisualizationUnsupportedError for
`.submit()` and `.map()`; headwater draws them (a `.map()` over a known
number of elements draws one node per element).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator
from typing import Any

from headwater.annotations import BaseAnnotation

__all__ = [
    "FlowVisualizationError",
    "GraphvizExecutableNotFoundError",
    "GraphvizImportError",
    "TaskVizTracker",
    "VisualizationUnsupportedError",
    "VizFuture",
    "VizTask",
    "get_task_viz_tracker",
    "track_viz_call",
    "track_viz_map",
    "track_viz_submit",
]


class FlowVisualizationError(Exception):
    """The flow's graph could not be built or rendered."""


class VisualizationUnsupportedError(Exception):
    """The flow does something a graph drawn without running it cannot show."""


class GraphvizImportError(ImportError):
    """The `graphviz` Python package is not installed."""


class GraphvizExecutableNotFoundError(Exception):
    """Graphviz's `dot` program is not installed or not on PATH."""


_current: contextvars.ContextVar[TaskVizTracker | None] = contextvars.ContextVar(
    "headwater_viz_tracker", default=None
)


def get_task_viz_tracker() -> TaskVizTracker | None:
    """The active tracker: task calls are being recorded, not run (None normally)."""
    return _current.get()


class VizTask:
    """One node of the graph: a task call and the nodes it depends on."""

    __slots__ = ("name", "upstream_tasks", "wait_for_tasks")

    def __init__(
        self,
        name: str,
        upstream_tasks: list[VizTask] | None = None,
        wait_for_tasks: list[VizTask] | None = None,
    ) -> None:
        self.name = name
        self.upstream_tasks: list[VizTask] = upstream_tasks or []
        #: upstream nodes from `wait_for=` (order only, no data)
        self.wait_for_tasks: list[VizTask] = wait_for_tasks or []

    def __repr__(self) -> str:
        return f"VizTask({self.name!r})"


class VizFuture:
    """What `.submit()` returns while tracking: waits for nothing, results in the
    task's `viz_return_value` (or this placeholder's node)."""

    __slots__ = ("task_run", "value", "viz_task")

    def __init__(self, viz_task: VizTask, value: Any) -> None:
        self.viz_task = viz_task
        self.value = value
        self.task_run = None

    def wait(self, timeout: float | None = None) -> None:
        return None

    def result(self, timeout: float | None = None, raise_on_failure: bool = True) -> Any:
        return self.value

    def __repr__(self) -> str:
        return f"VizFuture({self.viz_task.name!r})"


class VizFutureList(list[VizFuture]):
    """What `.map()` returns while tracking."""

    def wait(self, timeout: float | None = None) -> None:
        return None

    def result(self, timeout: float | None = None, raise_on_failure: bool = True) -> list[Any]:
        return [f.result() for f in self]


class TaskVizTracker:
    """The graph being recorded; active inside `with TaskVizTracker() as tracker:`."""

    def __init__(self) -> None:
        self.tasks: list[VizTask] = []
        self.dynamic_task_counter: dict[str, int] = {}
        self.object_id_to_task: dict[int, tuple[Any, VizTask]] = {}
        self._token: contextvars.Token[TaskVizTracker | None] | None = None

    def __enter__(self) -> TaskVizTracker:
        self._token = _current.set(self)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _current.reset(self._token)
            self._token = None

    def add_task(self, task: VizTask) -> None:
        n = self.dynamic_task_counter.get(task.name, -1) + 1
        self.dynamic_task_counter[task.name] = n
        task.name = f"{task.name}-{n}"
        self.tasks.append(task)

    def link_viz_return_value_to_viz_task(self, value: Any, viz_task: VizTask) -> None:
        """Remember which node returned `value` (singletons such as None, booleans and
        small ints can't be told apart, so they are not tracked)."""
        if value is None or isinstance(value, bool) or value is Ellipsis:
            return
        if isinstance(value, int) and -5 <= value <= 256:
            return
        self.object_id_to_task[id(value)] = (value, viz_task)

    def upstream_of(self, values: Iterable[Any], depth: int = 3) -> list[VizTask]:
        """The nodes whose placeholders or tracked return values are among `values`
        (searched `depth` levels into collections)."""
        found: dict[int, VizTask] = {}
        for item in _walk(values, depth):
            node = None
            if isinstance(item, VizTask):
                node = item
            elif isinstance(item, VizFuture):
                node = item.viz_task
            else:
                hit = self.object_id_to_task.get(id(item))
                if hit is not None and hit[0] is item:
                    node = hit[1]
            if node is not None:
                found.setdefault(id(node), node)
        return list(found.values())

    def record(
        self,
        name: str,
        parameters: dict[str, Any],
        wait_for: Any,
        viz_return_value: Any,
        upstream: list[VizTask] | None = None,
    ) -> tuple[VizTask, Any]:
        """Add a node for a call of task `name` (with `upstream` nodes besides those in
        its parameters); the node and what the call returns."""
        waits = self.upstream_of(_as_list(wait_for)) if wait_for is not None else []
        found = self.upstream_of(parameters.values())
        if upstream:
            found = list({id(n): n for n in [*upstream, *found]}.values())
        node = VizTask(name, found, waits)
        self.add_task(node)
        if viz_return_value is not None:
            self.link_viz_return_value_to_viz_task(viz_return_value, node)
            return node, viz_return_value
        return node, node


def _as_list(wait_for: Any) -> list[Any]:
    if isinstance(wait_for, (list, tuple, set)):
        return list(wait_for)
    return [wait_for]


def _walk(values: Iterable[Any], depth: int) -> Iterator[Any]:
    for value in values:
        if isinstance(value, BaseAnnotation):
            value = value.unwrap()
        yield value
        if depth and not isinstance(value, (VizTask, VizFuture, str, bytes)):
            if isinstance(value, dict):
                yield from _walk(value.values(), depth - 1)
            elif isinstance(value, (list, tuple, set, frozenset)):
                yield from _walk(value, depth - 1)


async def _returning(value: Any) -> Any:
    return value


def track_viz_call(
    tracker: TaskVizTracker,
    name: str,
    is_async: bool,
    parameters: dict[str, Any],
    wait_for: Any = None,
    viz_return_value: Any = None,
) -> Any:
    """A task (or subflow) called directly while tracking: a node, no run."""
    _, returned = tracker.record(name, parameters, wait_for, viz_return_value)
    return _returning(returned) if is_async else returned


def track_viz_submit(
    tracker: TaskVizTracker,
    name: str,
    parameters: dict[str, Any],
    wait_for: Any = None,
    viz_return_value: Any = None,
    upstream: list[VizTask] | None = None,
) -> VizFuture:
    """`.submit()` while tracking: a node, and a future that resolves to nothing real."""
    node, returned = tracker.record(name, parameters, wait_for, viz_return_value, upstream)
    return VizFuture(node, returned)


def track_viz_map(
    tracker: TaskVizTracker,
    task: Any,
    parameters: dict[str, Any],
    wait_for: Any = None,
) -> VizFutureList:
    """`.map()` while tracking: one node per element when the number of elements is
    known, else one node standing for all of them."""
    from headwater.engine.mapping import expand_map_parameters
    from headwater.exceptions import MappingLengthMismatch, MappingMissingIterable

    try:
        runs = list(expand_map_parameters(task, parameters))
    except (MappingMissingIterable, MappingLengthMismatch):
        runs = [parameters]
    # an iterable some task returned (its viz_return_value) feeds every element's run
    whole = tracker.upstream_of(parameters.values(), depth=0)
    futures = VizFutureList()
    for params in runs:
        futures.append(
            track_viz_submit(tracker, task.name, params, wait_for, task.viz_return_value, whole)
        )
    return futures
