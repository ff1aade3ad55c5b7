"""Cursor paging of task runs over 100,000 of them (rows inserted straight into the home):
walking every page gives every run once, newest first, and a page of one flow run's."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hw_services import Service
from server_process import headwater_server

BENCH = Path(__file__).parents[2] / "bench" / "task_run_pages.py"
N = 100_000


def _build_home(home: Path, n: int) -> list[str]:
    spec = importlib.util.spec_from_file_location("task_run_pages_bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    ids: list[str] = module.build_home(home, n)
    return ids


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, list[str]]]:
    home = tmp_path_factory.mktemp("many-task-runs")
    ids = _build_home(home, N)
    logs = tmp_path_factory.mktemp("many-logs")
    with headwater_server(home, logs, {"HEADWATER_SERVER_API_KEY": ""}) as (service, _):
        yield service, ids


def _walk(api: httpx.Client, body: dict[str, Any]) -> list[str]:
    seen: list[str] = []
    cursor = None
    while True:
        answer = api.post("/api/task_runs/paginate", json={**body, "cursor": cursor})
        assert answer.status_code == 200, answer.text
        page = answer.json()
        seen += [run["id"] for run in page["results"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


def test_every_page_to_the_last_gives_each_run_once(many: tuple[Service, list[str]]) -> None:
    service, ids = many
    with httpx.Client(base_url=service.url, timeout=60) as api:
        assert _walk(api, {"limit": 200}) == ids


def test_pages_of_one_flow_run(many: tuple[Service, list[str]]) -> None:
    service, ids = many
    with httpx.Client(base_url=service.url, timeout=60) as api:
        newest = api.post("/api/task_runs/paginate", json={"limit": 1}).json()["results"][0]
        parent = newest["flow_run_id"]
        body = {"limit": 150, "task_runs": {"flow_run_id": {"any_": [parent]}}}
        seen = _walk(api, body)
        runs = api.post("/api/task_runs/count", json={"task_runs": body["task_runs"]}).json()
    assert len(seen) == runs == 1000 and seen == sorted(seen, reverse=True)
    assert seen[0] == ids[0]


def test_a_short_id_finds_its_run_among_many(many: tuple[Service, list[str]]) -> None:
    service, ids = many
    with httpx.Client(base_url=service.url, timeout=60) as api:
        for run_id in (ids[0], ids[N // 2], ids[-1]):
            found = api.post("/api/task_runs/find", json={"ref": run_id[-8:]}).json()
            assert [r["id"] for r in found] == [run_id]
