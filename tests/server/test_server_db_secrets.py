"""`headwater server database upgrade / reset` and `server start` on PostgreSQL: the URL's
password (the cluster's sentinel) never shows in CLI output, server logs or API answers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import sqlalchemy as sa
from headwater_server.database.tables import flow_runs
from hw_postgres import PG_PASSWORD
from server_process import headwater_server


def _cli(home: Path, url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HEADWATER_HOME": str(home), "HEADWATER_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "headwater", "server", "database", *args],
        env=env, input=stdin, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def _shown(done: subprocess.CompletedProcess[str]) -> str:
    text = done.stdout + done.stderr
    assert PG_PASSWORD not in text, text
    return text


def _count(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(sa.select(sa.func.count()).select_from(flow_runs)).scalar_one()
            )
    finally:
        engine.dispose()


def test_upgrade_then_reset_asks_unless_yes(tmp_path: Path, pg_url: str) -> None:
    done = _cli(tmp_path, pg_url, "upgrade")
    assert done.returncode == 0 and "upgraded from nothing to" in _shown(done)
    assert "postgres:***@" in done.stdout
    again = _cli(tmp_path, pg_url, "upgrade")
    assert again.returncode == 0 and "already at the newest" in _shown(again)
    engine = sa.create_engine(pg_url)
    with engine.begin() as connection:
        connection.execute(flow_runs.insert().values(id="r1", name="n", flow_name="f"))
    engine.dispose()
    refused = _cli(tmp_path, pg_url, "reset", stdin="n\n")
    assert refused.returncode == 1 and "Nothing was deleted" in _shown(refused)
    assert "Delete all run history in postgresql+psycopg://postgres:***@" in refused.stdout
    assert _count(pg_url) == 1
    reset = _cli(tmp_path, pg_url, "reset", "--yes")
    assert reset.returncode == 0 and "reset" in _shown(reset)
    assert _count(pg_url) == 0


def test_wrong_password_is_explained_without_it(tmp_path: Path, pg_url: str) -> None:
    wrong = pg_url.replace(PG_PASSWORD, PG_PASSWORD + "-typo")
    done = _cli(tmp_path, wrong, "upgrade")
    assert done.returncode == 1
    assert "check the user and password" in _shown(done) and "***" in done.stderr
    assert "Traceback" not in done.stderr


def test_server_on_postgres_never_shows_the_password(tmp_path: Path, pg_url: str) -> None:
    env = {"HEADWATER_DATABASE_URL": pg_url, "HEADWATER_SERVER_API_KEY": ""}
    with headwater_server(tmp_path / "home", tmp_path / "logs", env) as (service, _):
        with httpx.Client(base_url=service.url, timeout=30) as client:
            answers = [
                client.post("/api/flow_runs/filter", json={}),
                client.post("/api/task_runs/count", json={}),
                client.get("/api/flow_runs/nope"),
                client.post("/api/flow_runs/filter", content="{bad"),
                client.get("/openapi.json"),
            ]
        assert [a.status_code for a in answers] == [200, 200, 404, 422, 200]
        assert answers[0].json() == []  # a database of its own: nothing recorded there yet
        for answer in answers:
            assert PG_PASSWORD not in answer.text and PG_PASSWORD not in str(answer.headers)
        log = service.log_path.read_text(errors="replace")
    assert "run history in postgresql+psycopg://postgres:***@" in log
    assert PG_PASSWORD not in log


def test_server_with_a_wrong_password_answers_503_naming_the_fix(
    tmp_path: Path, pg_url: str
) -> None:
    wrong = pg_url.replace(PG_PASSWORD, PG_PASSWORD + "-typo")
    env = {"HEADWATER_DATABASE_URL": wrong, "HEADWATER_SERVER_API_KEY": ""}
    with headwater_server(tmp_path / "home", tmp_path / "logs", env) as (service, _):
        answer = httpx.post(f"{service.url}/api/flow_runs/filter", json={}, timeout=30)
        log = service.log_path.read_text(errors="replace")
    assert answer.status_code == 503, answer.text
    assert "check the user and password" in answer.json()["detail"]
    assert PG_PASSWORD not in answer.text and PG_PASSWORD not in log


def test_without_a_database_url_the_home_is_migrated_keeping_its_runs(tmp_path: Path) -> None:
    from headwater.history import FlowRun
    from headwater.history.sqlite import SQLiteRunStore

    store = SQLiteRunStore(tmp_path)
    store.record_flow_run(FlowRun("kept", "kept-run", "etl", created=1.0))
    store.close()
    env = {k: v for k, v in os.environ.items() if k != "HEADWATER_DATABASE_URL"}
    env["HEADWATER_HOME"] = str(tmp_path)
    argv = [sys.executable, "-m", "headwater", "server", "database"]
    done = subprocess.run([*argv, "upgrade"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"{tmp_path / 'headwater.db'}: upgraded from nothing to" in done.stdout
    url = f"sqlite:///{tmp_path / 'headwater.db'}"
    assert _count(url) == 1
    reset = subprocess.run(
        [*argv, "reset", "--yes"], env=env, capture_output=True, text=True, timeout=120
    )
    assert reset.returncode == 0, reset.stderr
    assert _count(url) == 0
    reopened = SQLiteRunStore(tmp_path)  # core still uses the reset home
    try:
        reopened.record_flow_run(FlowRun("new", "new-run", "etl", created=2.0))
        assert [r["id"] for r in reopened.read_flow_runs()] == ["new"]
        assert reopened.read_events() == []
    finally:
        reopened.close()
