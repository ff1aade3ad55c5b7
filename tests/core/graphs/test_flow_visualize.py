"""flow.visualize(): graphviz when installed, and Prefect's clear errors when it is not."""

from __future__ import annotations

import builtins
import os
import shutil
import sys
from pathlib import Path

import pytest
from headwater import flow, task
from headwater.graphs import GraphvizExecutableNotFoundError, GraphvizImportError
from hw_services import missing_service


@task
def load() -> int:
    raise AssertionError("not run")


@task
def save(x: int) -> None:
    raise AssertionError("not run")


@flow(name="viz-flow")
def pipeline() -> None:
    save(load())


def test_without_the_graphviz_package_the_error_names_what_to_install(monkeypatch) -> None:
    real_import = builtins.__import__

    def no_graphviz(name: str, *args, **kwargs):
        if name == "graphviz":
            raise ImportError("No module named 'graphviz'")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "graphviz", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_graphviz)
    with pytest.raises(GraphvizImportError, match=r"pip install graphviz.*`dot`"):
        pipeline.visualize()
    with pytest.raises(ImportError):  # Prefect's docs say ImportError: it is one
        pipeline.visualize()


def test_without_dot_the_error_names_the_program(monkeypatch, tmp_path: Path) -> None:
    _require_graphviz()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` on PATH
    with pytest.raises(GraphvizExecutableNotFoundError, match=r"`dot` program.*not enough"):
        pipeline.visualize()


def test_graph_object_has_the_nodes_and_edges() -> None:
    _require_graphviz()
    from headwater.graphs.render import build_task_dependencies
    from headwater.graphs.tracking import TaskVizTracker

    with TaskVizTracker() as tracker:
        pipeline.fn()
    source = build_task_dependencies(tracker).source
    assert '"load-0"' in source and '"save-0"' in source
    assert '"load-0" -> "save-0"' in source


def test_renders_a_png_where_dot_exists(monkeypatch, tmp_path: Path) -> None:
    _require_graphviz()
    if shutil.which("dot") is None:
        missing_service("Graphviz's `dot` program", "apt-get install graphviz (nox does)")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISPLAY", "")
    monkeypatch.setattr("graphviz.view", lambda *a, **k: None)
    pipeline.visualize()
    png = tmp_path / "viz-flow.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert os.path.getsize(png) > 100


def test_inside_an_event_loop_visualize_is_awaitable(monkeypatch) -> None:
    import asyncio

    drawn: list[str] = []
    monkeypatch.setattr("headwater.graphs.visualize._show", lambda flow, tracker: drawn.append(
        ",".join(t.name for t in tracker.tasks)))  # fmt: skip

    async def main() -> None:
        await pipeline.visualize()
        pipeline.visualize(_sync=True)

    asyncio.run(main())
    pipeline.visualize()
    assert drawn == ["load-0,save-0"] * 3


def _require_graphviz() -> None:
    """The graphviz package is a test dependency: skipped locally, a failure under CI."""
    try:
        import graphviz  # noqa: F401
    except ImportError:
        missing_service("the graphviz Python package", "pip install graphviz")
