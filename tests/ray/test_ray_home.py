"""Ray workers persist and read results where the orchestrating flow would.

The session's Ray workers were started before any test set HEADWATER_HOME, with
HOME pointing at the session's temporary home (tests/conftest.py): left to
their defaults they would write under that HOME. The flow's caches must land
in the test's HEADWATER_HOME instead, a second run must hit them, and the
workers' own home must stay free of `.headwater`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import ray_tasks as t
from headwater import flow
from headwater_ray import RayTaskRunner


def worker_home(ray: Any) -> Path:
    return Path(ray.get(ray.remote(lambda: os.path.expanduser("~")).remote()))


def test_cache_lands_in_the_orchestrators_home(
    ray_session: Any, headwater_home: Path, tmp_path: Path
) -> None:
    home = worker_home(ray_session)
    assert home != Path(headwater_home).parent
    marks = tmp_path / "marks"
    marks.mkdir()

    @flow(task_runner=RayTaskRunner())
    def squared() -> tuple[int, str]:
        state = t.cached_square.submit(str(marks), 9, return_state=True)
        return state.result(), state.name

    assert squared() == (81, "Completed")
    stored = [p for p in (headwater_home / "storage").rglob("*") if p.is_file()]
    assert [p for p in stored if p.name.endswith("-9")], stored
    assert squared() == (81, "Cached")
    assert t.executions(str(marks), "square-9") == 1
    assert not (home / ".headwater").exists()


def test_flow_result_storage_is_used_by_workers(ray_session: Any, tmp_path: Path) -> None:
    results = tmp_path / "flow-results"

    @flow(persist_result=True, result_storage=str(results), task_runner=RayTaskRunner())
    def persisted() -> int:
        return t.plus_one.submit(41).result()

    assert persisted() == 42
    task_results = [p for p in results.iterdir() if not p.name.startswith("flow-run-")]
    assert len(task_results) == 1, list(results.iterdir())
    assert not (worker_home(ray_session) / ".headwater").exists()
