"""`flow.visualize()` and `flow.generate_mermaid_graph()`: a flow's task graph, no run.

The flow's function is called with task calls intercepted (see `tracking`):
code between task calls does run, tasks never do. A value the flow computes
from a task's result needs that task's `viz_return_value`; without it the
error says so (as Prefect's does).
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
import threading
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from headwater.graphs.render import graph_of, render, to_graphviz, to_mermaid
from headwater.graphs.tracking import (
    FlowVisualizationError,
    GraphvizExecutableNotFoundError,
    GraphvizImportError,
    TaskVizTracker,
    VisualizationUnsupportedError,
)
from headwater.utilities.loops import loop_running

if TYPE_CHECKING:
    from headwater.flows import Flow

__all__ = ["agenerate_mermaid_graph", "avisualize", "generate_mermaid_graph", "visualize"]

_HINT = (
    "It's possible you are trying to visualize a flow that contains code that directly "
    "interacts with the result of a task inside of the flow. \nTry passing a "
    "`viz_return_value` to the task decorator, e.g. `@task(viz_return_value=[1, 2, 3])`."
)
_OURS = (
    GraphvizImportError,
    GraphvizExecutableNotFoundError,
    VisualizationUnsupportedError,
    FlowVisualizationError,
)


def _with_hint(exc: Exception) -> Exception:
    if isinstance(exc, _OURS):
        return exc
    try:
        hinted = type(exc)(f"{exc}\n{_HINT}")
    except Exception:
        return FlowVisualizationError(f"{type(exc).__name__}: {exc}\n{_HINT}")
    return hinted.with_traceback(exc.__traceback__)


def _run_coroutine(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run `coro` to completion from sync code (in a helper thread if a loop runs here)."""
    if not loop_running():
        return asyncio.run(coro)
    box: dict[str, Any] = {}
    context = contextvars.copy_context()

    def target() -> None:
        try:
            box["value"] = context.run(asyncio.run, coro)
        except BaseException as exc:
            box["error"] = exc

    worker = threading.Thread(target=target, name="headwater-visualize")
    worker.start()
    worker.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _trace(flow: Flow[Any, Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> TaskVizTracker:
    with TaskVizTracker() as tracker:
        try:
            if flow.isasync:
                _run_coroutine(flow.fn(*args, **kwargs))
            else:
                flow.fn(*args, **kwargs)
        except Exception as exc:
            raise _with_hint(exc) from None
    return tracker


async def _atrace(
    flow: Flow[Any, Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> TaskVizTracker:
    with TaskVizTracker() as tracker:
        try:
            if flow.isasync:
                await flow.fn(*args, **kwargs)
            else:
                flow.fn(*args, **kwargs)
        except Exception as exc:
            raise _with_hint(exc) from None
    return tracker


def generate_mermaid_graph(flow: Flow[Any, Any], *args: Any, **kwargs: Any) -> str:
    """The flow's task graph as a Mermaid `flowchart TD` (needs no extra package)."""
    return to_mermaid(graph_of(_trace(flow, args, kwargs)))


async def agenerate_mermaid_graph(flow: Flow[Any, Any], *args: Any, **kwargs: Any) -> str:
    return to_mermaid(graph_of(await _atrace(flow, args, kwargs)))


def _show(flow: Flow[Any, Any], tracker: TaskVizTracker) -> None:
    digraph = to_graphviz(graph_of(tracker))
    if _in_notebook():
        from IPython.display import display

        display(digraph)
        return
    path = render(digraph, flow.name, view=False)
    try:
        import graphviz

        graphviz.view(path, quiet=True)
    except Exception:  # no viewer (a server, CI): the PNG is there all the same
        print(f"The graph of flow {flow.name!r} is in {path}")


def visualize(flow: Flow[Any, Any], *args: Any, **kwargs: Any) -> None:
    """Draw the flow's task graph with graphviz: `<flow name>.png` in the current
    directory, opened in a viewer (shown inline in a notebook)."""
    _show(flow, _trace(flow, args, kwargs))


async def avisualize(flow: Flow[Any, Any], *args: Any, **kwargs: Any) -> None:
    _show(flow, await _atrace(flow, args, kwargs))


def _in_notebook() -> bool:
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = getattr(ipython, "get_ipython", lambda: None)()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"
