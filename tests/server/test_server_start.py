"""`headwater server start` on a fresh home: up fast, runs recorded after it started show up,
Ctrl-C stops it cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from hw_services import free_port
from server_process import headwater_server, record_runs


def test_fresh_home_then_runs_from_another_process_show_up(tmp_path: Path) -> None:
    home = tmp_path / "fresh-home"  # does not exist yet: no database at start
    with headwater_server(home, tmp_path / "logs") as (service, seconds):
        print(f"\nheadwater server start: /api/health answered {seconds:.3f} s after launch")
        with httpx.Client(base_url=service.url, timeout=30) as client:
            assert client.post("/api/flow_runs/filter", json={}).json() == []
            record_runs(home)
            runs = client.post("/api/flow_runs/filter", json={}).json()
            assert sorted(r["flow_name"] for r in runs) == ["broken", "etl", "etl"]
            assert len(client.post("/api/task_runs/filter", json={}).json()) == 6
            record_runs(home)  # and again, while the server has the database open
            assert len(client.post("/api/flow_runs/filter", json={}).json()) == 6


def test_ctrl_c_stops_the_server_cleanly(tmp_path: Path) -> None:
    with headwater_server(tmp_path / "home", tmp_path / "logs") as (service, _):
        service.process.send_signal(signal.SIGINT)
        assert service.process.wait(30) == 0
        log = service.log_path.read_text()
    assert "Traceback" not in log and "Shutting down" in log


def test_a_home_that_is_a_file_is_refused_at_start(tmp_path: Path) -> None:
    home = tmp_path / "not-a-dir"
    home.write_text("oops")
    done = subprocess.run(
        [sys.executable, "-m", "headwater", "server", "start", "--port", str(free_port())],
        env={**os.environ, "HEADWATER_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert f"HEADWATER_HOME={home} is a file" in done.stderr


def test_an_unreadable_database_is_503_naming_it(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "headwater.db").write_bytes(b"this is not a SQLite database" * 200)
    with headwater_server(home, tmp_path / "logs") as (service, _):
        answer = httpx.post(f"{service.url}/api/flow_runs/filter", json={}, timeout=30)
        assert answer.status_code == 503
        assert "headwater.db" in answer.json()["detail"]
        assert "HEADWATER_HOME" in answer.json()["detail"]
        assert httpx.get(f"{service.url}/api/health", timeout=30).json() is True


def test_the_plugin_adds_server_without_importing_fastapi_or_uvicorn() -> None:
    script = (
        "import sys\n"
        "from headwater.cli.main import build_cli\n"
        "cli = build_cli()\n"
        "assert 'server' in cli.commands, sorted(cli.commands)\n"
        "assert 'start' in cli.commands['server'].commands\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'fastapi', 'uvicorn', 'pydantic'})\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


def test_a_client_profile_on_the_server_machine_does_not_point_the_server_at_itself(
    tmp_path: Path,
) -> None:
    """HEADWATER_API_URL (a profile made for clients) is ignored by the server process: it
    serves its own home instead of reading its history through itself."""
    home = tmp_path / "home"
    record_runs(home)
    env = {"HEADWATER_API_URL": f"http://127.0.0.1:{free_port()}/api"}
    with headwater_server(home, tmp_path / "logs", env) as (service, _):
        runs = httpx.post(f"{service.url}/api/flow_runs/filter", json={}, timeout=30)
        assert runs.status_code == 200, runs.text
        assert len(runs.json()) == 3
        log = service.log_path.read_text()
    assert "HEADWATER_API_URL is ignored by the server" in log
