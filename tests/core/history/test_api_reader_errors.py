"""Reading history from a server (HEADWATER_API_URL) that is not there: one clear line naming
the URL and the fix, never a traceback or the API key; and the `View at` link's URL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from headwater.cli.main import build_cli
from headwater.engine.run_urls import flow_run_url, ui_url
from headwater.history import open_for_reading
from headwater.history.api_reader import ApiRunHistory, shown_url
from headwater.history.reader import ReadOnlyRunStore
from hw_services import free_port

KEY = "hw-sentinel-api-key-93e1aa"


def run_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_cli(), list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize(
    "args",
    [
        ["flow-run", "ls"],
        ["flow-run", "inspect", "abc"],
        ["task-run", "ls"],
        ["task-run", "logs", "abc"],
        ["events", "ls"],
        ["events", "stream", "--timeout", "1"],
        ["automation", "ls"],
        ["automation", "inspect", "x"],
    ],
)
def test_unreachable_server_is_one_line_naming_url_and_fix(
    monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    url = f"http://127.0.0.1:{free_port()}/api"
    monkeypatch.setenv("HEADWATER_API_URL", url)
    monkeypatch.setenv("HEADWATER_API_KEY", KEY)
    code, output = run_cli(*args)
    assert code == 1, output
    assert f"the headwater server at {url} cannot be reached" in output
    assert "headwater server start" in output and "unset HEADWATER_API_URL" in output
    assert KEY not in output and "Traceback" not in output


def test_the_active_profile_can_name_the_server(tmp_path: Path) -> None:
    """A profile's HEADWATER_API_URL is read (in a fresh process, as a user runs it)."""
    port = free_port()
    (tmp_path / "profiles.toml").write_text(
        f'active = "team"\n[profiles.team]\nHEADWATER_API_URL = "http://127.0.0.1:{port}/api"\n'
        f'HEADWATER_API_KEY = "{KEY}"\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_URL", "_API_KEY"))}
    done = subprocess.run(
        [sys.executable, "-m", "headwater", "flow-run", "ls"],
        env={**env, "HEADWATER_HOME": str(tmp_path)},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert f"127.0.0.1:{port}/api cannot be reached" in done.stderr
    assert KEY not in done.stdout + done.stderr


def test_open_for_reading_picks_the_server_only_when_a_url_is_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("HEADWATER_API_URL", raising=False)
    local = open_for_reading()
    assert isinstance(local, ReadOnlyRunStore)
    local.close()
    monkeypatch.setenv("HEADWATER_API_URL", "http://127.0.0.1:9/api")
    monkeypatch.setenv("HEADWATER_API_KEY", KEY)
    remote = open_for_reading()
    assert isinstance(remote, ApiRunHistory) and KEY not in repr(remote)
    remote.close()
    explicit = open_for_reading(tmp_path)  # a home given (the server's own) is always local
    assert isinstance(explicit, ReadOnlyRunStore)
    explicit.close()


def test_a_password_in_the_url_is_not_shown() -> None:
    assert shown_url("http://user:pw-93e1@host:4200/api") == "http://user:***@host:4200/api"
    assert shown_url("http://host:4200/api") == "http://host:4200/api"


def test_ui_url_comes_from_the_api_url_or_its_own_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HEADWATER_API_URL", raising=False)
    monkeypatch.setenv("HEADWATER_UI_URL", "https://ui.example.org")
    assert ui_url() is None and flow_run_url("abc") is None  # no server: no link
    monkeypatch.delenv("HEADWATER_UI_URL")
    monkeypatch.setenv("HEADWATER_API_URL", "http://127.0.0.1:4200/api/")
    assert flow_run_url("abc") == "http://127.0.0.1:4200/runs/flow-run/abc"
    monkeypatch.setenv("HEADWATER_UI_URL", "https://ui.example.org/")
    assert flow_run_url("abc") == "https://ui.example.org/runs/flow-run/abc"


def test_view_at_is_logged_but_not_recorded_only_with_a_server(tmp_path: Path) -> None:
    script = "from headwater import flow\n@flow\ndef f():\n    return 1\nf()\n"
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_URL", "_UI_URL"))}
    env["HEADWATER_HOME"] = str(tmp_path)
    without = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert without.returncode == 0 and "Beginning flow run" in without.stderr
    assert "View at" not in without.stdout + without.stderr
    runner_env = {**env, "HEADWATER_UI_URL": "https://ui.example.org"}
    ui_only = subprocess.run(
        [sys.executable, "-c", script], env=runner_env, capture_output=True, text=True, timeout=60
    )
    assert "View at" not in ui_only.stdout + ui_only.stderr
    history = open_for_reading(tmp_path)
    try:
        ids = [run["id"] for run in history.read_flow_runs()]
        assert len(ids) == 2
        assert not any("View at" in line["message"] for i in ids for line in history.read_logs(i))
    finally:
        history.close()
