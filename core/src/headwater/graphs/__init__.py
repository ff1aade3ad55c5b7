"""Flow graphs: a flow's task graph drawn without running it, or a recorded run's.

`flow.visualize()` (graphviz) and `flow.generate_mermaid_graph()` (Mermaid
text), as Prefect 3 has them, are implemented here (`visualize`, `tracking`,
`render`); `headwater flow-run graph ID` prints a recorded run's graph
(`recorded`).
"""

from __future__ import annotations

from headwater.graphs.tracking import (
    FlowVisualizationError,
    GraphvizExecutableNotFoundError,
    GraphvizImportError,
    TaskVizTracker,
    VisualizationUnsupportedError,
    get_task_viz_tracker,
)

__all__ = [
    "FlowVisualizationError",
    "GraphvizExecutableNotFoundError",
    "GraphvizImportError",
    "TaskVizTracker",
    "VisualizationUnsupportedError",
    "get_task_viz_tracker",
]
