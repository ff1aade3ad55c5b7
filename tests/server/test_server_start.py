"""`headwater server start` on a fresh home: up fast, runs recorded after it started show up,
Ctrl-C stops it cleanly."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx
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
