"""Fake installed plugins: a module plus a dist-info directory on sys.path."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from headwater.plugins.manager import HeadwaterPluginManager
from headwater.plugins.registry import use_plugin_manager

RUNNER_SOURCE = """
from headwater.plugins import hookimpl
from headwater.task_runners.base import TaskRunner


class {cls}(TaskRunner):
    short_name = {short_name!r}

    def duplicate(self):
        return type(self)()

    def submit(self, task, parameters, wait_for=None, dependencies=None):
        raise NotImplementedError


@hookimpl
def headwater_task_runners():
    return [{cls}]
"""


def runner_plugin(short_name: str, cls: str = "FakeTaskRunner") -> str:
    return RUNNER_SOURCE.format(cls=cls, short_name=short_name)


@pytest.fixture(name="runner_plugin")
def runner_plugin_fixture() -> Callable[..., str]:
    """`runner_plugin(short_name, cls=...)`: source of a plugin registering one runner."""
    return runner_plugin


@pytest.fixture
def install_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., str]]:
    """`install_plugin(dist, module, source, ep_name=None)`: make an entry point exist."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    modules: list[str] = []

    def install(dist: str, module: str, source: str, ep_name: str | None = None) -> str:
        (site / f"{module}.py").write_text(textwrap.dedent(source))
        info = site / f"{dist.replace('-', '_')}-1.2.3.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.2.3\n")
        (info / "entry_points.txt").write_text(f"[headwater]\n{ep_name or module} = {module}\n")
        modules.append(module)
        return ep_name or module

    yield install
    for module in modules:
        sys.modules.pop(module, None)


@pytest.fixture
def use_manager() -> Iterator[Callable[[HeadwaterPluginManager], None]]:
    stack = []

    def use(pm: HeadwaterPluginManager) -> None:
        cm = use_plugin_manager(pm)
        cm.__enter__()
        stack.append(cm)

    yield use
    for cm in reversed(stack):
        cm.__exit__(None, None, None)
