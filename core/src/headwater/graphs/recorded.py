"""A recorded flow run's task graph, from run history (`headwater flow-run graph ID`).

Every task run records its upstream task runs as `task_inputs` (parameter ->
upstream run ids, `wait_for` under "wait_for"), so the graph of a run that
already happened needs no re-run: nodes are its task runs, oldest first,
labelled with their name and final state; data dependencies are solid arrows,
`wait_for` ones dotted.
"""

from __future__ import annotations

from typing import Any

from headwater.graphs.render import Graph, Node, to_mermaid
from headwater.history.base import RunHistory

__all__ = ["recorded_graph", "recorded_mermaid"]


def recorded_graph(history: RunHistory, flow_run_id: str) -> Graph:
    """The task graph of flow run `flow_run_id` as recorded in `history`."""
    runs = list(reversed(history.read_task_runs(flow_run_id=flow_run_id)))
    nodes = []
    for run in runs:
        inputs: dict[str, list[str]] = run.get("task_inputs") or {}
        data = [i for name, ids in inputs.items() if name != "wait_for" for i in ids]
        waits = [i for i in inputs.get("wait_for", ()) if i not in data]
        upstream, wait_for = list(dict.fromkeys(data)), list(dict.fromkeys(waits))
        # Mermaid ids from run names (readable; made unique if a name repeats)
        nodes.append(Node(run["id"], _label(run), upstream, wait_for, ident=run["name"]))
    return Graph(nodes)


def _label(run: dict[str, Any]) -> str:
    state = run.get("state_name")
    return f"{run['name']}: {state}" if state else str(run["name"])


def recorded_mermaid(history: RunHistory, flow_run_id: str) -> str:
    """The recorded run's task graph as a Mermaid `flowchart TD`."""
    return to_mermaid(recorded_graph(history, flow_run_id))
