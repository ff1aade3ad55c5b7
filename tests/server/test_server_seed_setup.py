"""The seed's setup section, as a user follows it with `prefect` read as `headwater`:
a team server, a profile made with Prefect's setting names, the tutorial's first flow
run on "my computer", then the run seen through the CLI and the API."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
from server_process import headwater_server

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "sentinel-seed-api-key-7f02"


def test_the_seed_setup_section(tmp_path: Path) -> None:
    server_home, laptop = tmp_path / "server-home", tmp_path / "laptop"
    env_server = {"HEADWATER_SERVER_API_KEY": API_KEY}
    with headwater_server(server_home, tmp_path / "logs", env_server) as (server, _):
        env = {**os.environ, "HEADWATER_HOME": str(laptop)}
        env.pop("HEADWATER_API_URL", None)

        def headwater(*argv: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, "-m", "headwater", *argv],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )

        for argv in (
            ("profile", "create", "uvasds"),
            ("profile", "use", "uvasds"),
            ("config", "set", f"PREFECT_API_URL={server.url}/api"),
            ("config", "set", f"PREFECT_API_KEY={API_KEY}"),
        ):
            done = headwater(*argv)
            assert done.returncode == 0, done.stderr
            assert API_KEY not in done.stdout + done.stderr

        ran = subprocess.run(
            [sys.executable, str(ROOT / "examples" / "numbers_simple.py")],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )
        assert ran.returncode == 0, ran.stderr
        assert f"View at {server.url}/runs/flow-run/" in ran.stderr
        assert API_KEY not in ran.stdout + ran.stderr
        assert not (laptop / "headwater.db").exists()  # recorded on the server only

        listed = headwater("flow-run", "ls")
        assert listed.returncode == 0, listed.stderr
        assert "Completed" in listed.stdout
        headers = {"Authorization": f"Bearer {API_KEY}"}
        runs = httpx.post(f"{server.url}/api/flow_runs/filter", json={}, headers=headers).json()
        assert [r["state"]["type"] for r in runs] == ["COMPLETED"]
        tasks = httpx.post(f"{server.url}/api/task_runs/filter", json={}, headers=headers).json()
        assert tasks and {t["state"]["type"] for t in tasks} == {"COMPLETED"}
        config = headwater("config", "view")
        assert API_KEY not in config.stdout  # masked unless --show-secrets
