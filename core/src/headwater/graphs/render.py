"""Drawing a task graph: Mermaid text (no dependencies) or a graphviz Digraph / PNG.

Mermaid follows Prefect's `build_mermaid_dependencies`: `flowchart TD`, one
`id["label"]` line per node, then `up --> down` per dependency. Node ids keep
only letters, digits and underscores (Mermaid's rule); headwater draws
`wait_for=` dependencies, which carry no data, as dotted arrows (`-.->`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from headwater.graphs.tracking import (
    FlowVisualizationError,
    GraphvizExecutableNotFoundError,
    GraphvizImportError,
    TaskVizTracker,
)

__all__ = ["Graph", "Node", "build_task_dependencies", "graph_of", "to_graphviz", "to_mermaid"]

DOT_HINT = (
    "Install Graphviz (https://graphviz.org/download/, e.g. `apt-get install graphviz` or "
    "`brew install graphviz`), or draw with flow.generate_mermaid_graph(), which needs neither."
)
GRAPHVIZ_HINT = (
    "Install the graphviz Python package (`pip install graphviz`, or "
    "`pip install 'headwater[viz]'`) and Graphviz's `dot` program. " + DOT_HINT
)


@dataclass
class Node:
    """One task (run) in a graph: its label, its data and wait_for upstreams (node keys)."""

    key: str
    label: str
    upstream: list[str] = field(default_factory=list)
    wait_for: list[str] = field(default_factory=list)
    #: what the Mermaid node id is made from (default: the key)
    ident: str | None = None


@dataclass
class Graph:
    nodes: list[Node] = field(default_factory=list)


def graph_of(tracker: TaskVizTracker) -> Graph:
    """The graph a tracker recorded."""
    return Graph(
        [
            Node(
                t.name,
                t.name,
                [u.name for u in t.upstream_tasks],
                [w.name for w in t.wait_for_tasks if w not in t.upstream_tasks],
            )
            for t in tracker.tasks
        ]
    )


_NOT_ID = re.compile(r"[^0-9A-Za-z_]")


def _node_ids(nodes: Sequence[Node]) -> dict[str, str]:
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for node in nodes:
        base = _NOT_ID.sub("_", node.ident or node.key) or "task"
        node_id, n = base, 1
        while node_id in taken:
            n += 1
            node_id = f"{base}_{n}"
        taken.add(node_id)
        ids[node.key] = node_id
    return ids


def _label(text: str) -> str:
    return text.replace('"', "#quot;")


def to_mermaid(graph: Graph) -> str:
    """A Mermaid `flowchart TD` of the graph."""
    ids = _node_ids(graph.nodes)
    lines = ["flowchart TD"]
    lines += [f'    {ids[n.key]}["{_label(n.label)}"]' for n in graph.nodes]
    for node in graph.nodes:
        lines += [f"    {ids[up]} --> {ids[node.key]}" for up in node.upstream if up in ids]
        lines += [f"    {ids[up]} -.-> {ids[node.key]}" for up in node.wait_for if up in ids]
    return "\n".join(lines)


def _graphviz() -> Any:
    try:
        import graphviz
    except ImportError as exc:
        raise GraphvizImportError(
            f"flow.visualize() draws with graphviz, which is not installed. {GRAPHVIZ_HINT}"
        ) from exc
    return graphviz


def to_graphviz(graph: Graph) -> Any:
    """A `graphviz.Digraph` of the graph (GraphvizImportError without the package)."""
    graphviz = _graphviz()
    digraph = graphviz.Digraph()
    for node in graph.nodes:
        digraph.node(node.key, node.label)
        for up in node.upstream:
            digraph.edge(up, node.key)
        for up in node.wait_for:
            digraph.edge(up, node.key, style="dashed")
    return digraph


def build_task_dependencies(tracker: TaskVizTracker) -> Any:
    """Prefect's name: the tracker's graph as a `graphviz.Digraph`."""
    return to_graphviz(graph_of(tracker))


def render(digraph: Any, filename: str, view: bool) -> str:
    """Render `digraph` to `filename`.png (opened when `view`); the PNG's path."""
    graphviz = _graphviz()
    try:
        path: str = digraph.render(filename=filename, view=view, format="png", cleanup=True)
    except graphviz.ExecutableNotFound as exc:
        raise GraphvizExecutableNotFoundError(
            "flow.visualize() needs Graphviz's `dot` program, which is not installed or "
            f"not on PATH (installing the graphviz Python package is not enough). {DOT_HINT}"
        ) from exc
    except Exception as exc:
        raise FlowVisualizationError(
            f"Rendering the flow's graph to {filename}.png failed: {exc}"
        ) from exc
    return path
