"""The CLI reads a server (HEADWATER_API_URL) exactly as it reads the local store: each
command's output over the server's home, with and without the URL, compared."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hw_services import Service
from server_process import headwater_server

WRONG_KEY = "hw-sentinel-wrong-key-41d07c"


def headwater(home: Path, *args: str, url: str | None = None, key: str | None = None) -> str:
    env = {**os.environ, "HEADWATER_HOME": str(home), "COLUMNS": "200"}
    for name in ("HEADWATER_API_URL", "HEADWATER_API_KEY", "PREFECT_API_URL", "PREFECT_API_KEY"):
        env.pop(name, None)
    if url is not None:
        env["HEADWATER_API_URL"] = url
    if key is not None:
        env["HEADWATER_API_KEY"] = key
    done = subprocess.run(
        [sys.executable, "-m", "headwater", *args],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return f"exit {done.returncode}\n{done.stdout}{done.stderr}"


def short_id(listing: str, flow: str) -> str:
    line = next(line for line in listing.splitlines() if f" {flow} " in line)
    return line.split()[0]


def test_cli_output_is_the_same_over_the_server(server: Service, server_home: Path) -> None:
    url = f"{server.url}/api"
    flows = headwater(server_home, "flow-run", "ls")
    tasks = headwater(server_home, "task-run", "ls")
    broken = short_id(flows, "broken")
    task = tasks.splitlines()[2].split()[0]
    commands = [
        ["flow-run", "ls"],
        ["flow-run", "ls", "--state", "failed"],
        ["flow-run", "ls", "--flow-name", "etl", "--limit", "1"],
        ["flow-run", "inspect", broken],
        ["flow-run", "logs", broken],
        ["flow-run", "logs", broken, "--no-task-runs", "--tail", "1"],
        ["flow-run", "inspect", "no-such-run"],
        ["task-run", "ls"],
        ["task-run", "ls", "--flow-run", broken],
        ["task-run", "ls", "--state", "Completed", "--limit", "2"],
        ["task-run", "inspect", task],
        ["task-run", "logs", task],
        ["events", "ls"],
        ["events", "ls", "-e", "prefect.flow-run", "-o", "json"],
        ["events", "ls", "--related", "headwater.flow.etl", "--limit", "3"],
        ["events", "ls", "-r", "headwater.task-run.*", "--since", "1d"],
        ["automation", "ls"],
    ]
    for args in commands:
        local = headwater(server_home, *args)
        assert local.startswith("exit ") and len(local) > 10
        assert headwater(server_home, *args, url=url) == local, args
    assert "exit 0" in headwater(server_home, "flow-run", "inspect", broken, url=url)


def test_json_output_differs_at_most_below_the_microsecond(
    server: Service, server_home: Path
) -> None:
    local = headwater(server_home, "flow-run", "ls", "-o", "json")
    remote = headwater(server_home, "flow-run", "ls", "-o", "json", url=f"{server.url}/api")

    def close(a: object, b: object) -> bool:
        if isinstance(a, float) and isinstance(b, float):
            return abs(a - b) < 1e-5
        if isinstance(a, dict) and isinstance(b, dict):
            return list(a) == list(b) and all(close(a[k], b[k]) for k in a)
        if isinstance(a, list) and isinstance(b, list):
            return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b, strict=True))
        return a == b

    assert local.startswith("exit 0") and remote.startswith("exit 0")
    runs = json.loads(local.removeprefix("exit 0"))
    assert len(runs) == 3 and close(json.loads(remote.removeprefix("exit 0")), runs)


@pytest.fixture(scope="module")
def keyed_server(server_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    env = {"HEADWATER_SERVER_API_KEY": "hw-right-key-for-cli-test"}
    with headwater_server(server_home, tmp_path_factory.mktemp("keyed"), env) as (service, _):
        yield service


def test_a_refused_api_key_is_said_and_never_shown(
    keyed_server: Service, server_home: Path
) -> None:
    url = f"{keyed_server.url}/api"
    for args in (["flow-run", "ls"], ["events", "ls"], ["automation", "ls"]):
        out = headwater(server_home, *args, url=url, key=WRONG_KEY)
        assert out.startswith("exit 1") and "refused the API key" in out, out
        assert WRONG_KEY not in out and "Traceback" not in out
    missing = headwater(server_home, "task-run", "ls", url=url)
    assert missing.startswith("exit 1") and "needs an API key" in missing
    right = headwater(server_home, "flow-run", "ls", url=url, key="hw-right-key-for-cli-test")
    assert right == headwater(server_home, "flow-run", "ls")


def test_a_flow_run_logs_where_to_view_it(tmp_path: Path) -> None:
    """Prefect's `View at http://HOST:PORT/runs/flow-run/<id>`: shown on the console, not
    recorded. (A server of its own: the run it records would change the shared ones'.)"""
    script = "from headwater import flow\n@flow(name='viewed')\ndef f():\n    return 1\nf()\n"
    with headwater_server(tmp_path / "server-home", tmp_path / "logs") as (server, _):
        env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_URL", "_UI_URL"))}
        env.update(HEADWATER_HOME=str(tmp_path / "client"), HEADWATER_API_URL=f"{server.url}/api")
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr[-2000:]
        found = re.search(rf"View at {re.escape(server.url)}/runs/flow-run/([0-9a-f-]{{36}})$",
                          done.stderr, re.MULTILINE)  # fmt: skip
        assert found, done.stderr
        run, messages = _run_and_logs(server.url, found.group(1))
    assert run["flow_name"] == "viewed"
    assert any(m.startswith("Beginning flow run") for m in messages)
    assert not any("View at" in m for m in messages)


def _run_and_logs(base: str, flow_run_id: str) -> tuple[dict[str, Any], list[str]]:
    with httpx.Client(base_url=base, timeout=30) as api:
        run = api.get(f"/api/flow_runs/{flow_run_id}").json()
        logs = api.post("/api/logs/filter", json={"logs": {"flow_run_id": {"any_": [run["id"]]}}})
        return run, [line["message"] for line in logs.json()]
