"""Automations fire on a PostgreSQL-backed server: clients' events land in the database
(HEADWATER_DATABASE_URL), the automations and their evaluation state in the server's
home. Created through the API, fired once for a flow run in another process, never
again for the same event after the server restarts; a Proactive trigger fires too."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from headwater.automations.runtime import IDLE_POLL
from hw_webhook import Receiver, webhook_receiver
from server_process import headwater_server
from test_server_automations import API_KEY, CREATE, HEADERS, RUN, TEAM_KEY, _python

PROACTIVE = """
from datetime import timedelta
from headwater.automations import Automation
from headwater.events.actions import SendNotification
from headwater.events.schemas.automations import EventTrigger
from headwater.blocks.notifications import CustomWebhookNotificationBlock

CustomWebhookNotificationBlock(
    name="ops", url={url!r}, json_data={{"subject": "{{{{subject}}}}", "body": "{{{{body}}}}"}}
).save("ops", overwrite=True)
Automation(
    name="nothing loaded",
    trigger=EventTrigger(expect={{"data.loaded"}}, posture="Proactive", threshold=1,
                         within=timedelta(seconds=10)),
    actions=[SendNotification(block_name="custom-webhook/ops", subject="silence", body="none")],
).create()
"""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as state:
        yield state


def _server_env(pg_url: str) -> dict[str, str]:
    return {
        "HEADWATER_SERVER_API_KEY": API_KEY,
        "HEADWATER_ENCRYPTION_KEY": TEAM_KEY,
        "HEADWATER_DATABASE_URL": pg_url,
    }


def _events_in_database(pg_url: str, name: str) -> int:
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as connection:
            query = sa.text("SELECT count(*) FROM event_rows WHERE event = :name")
            return int(connection.execute(query, {"name": name}).scalar_one())
    finally:
        engine.dispose()


def test_an_automation_fires_once_for_events_in_postgresql_across_a_restart(
    pg_url: str, receiver: Receiver, tmp_path: Path
) -> None:
    home = tmp_path / "server-home"
    env = _server_env(pg_url)
    with headwater_server(home, tmp_path / "logs-1", env) as (service, _):
        created = _python(CREATE.format(url=receiver.url), service, tmp_path / "laptop")
        assert created.returncode == 0, created.stderr
        automation_id = created.stdout.strip()
        ran = _python(RUN, service, tmp_path / "worker")
        assert ran.returncode == 0, ran.stderr
        [message] = receiver.wait_for(1, timeout=60)
        # the flow run is read from the database too
        assert message["subject"] == "data.load-failed on warehouse.orders"
        assert message["body"].startswith("run ") and message["body"].endswith(" of loader")
        assert len(receiver.wait_for(2, timeout=3)) == 1  # exactly once
    assert _events_in_database(pg_url, "data.load-failed") == 1
    with sqlite3.connect(home / "headwater.db") as db:  # the definitions live in the home
        assert db.execute("SELECT id FROM automations").fetchall() == [(automation_id,)]
        assert db.execute(
            "SELECT count(*) FROM events WHERE event = 'data.load-failed'"
        ).fetchone() == (0,)

    with headwater_server(home, tmp_path / "logs-2", env) as (service, _):
        ran = _python(RUN, service, tmp_path / "worker")
        assert ran.returncode == 0, ran.stderr
        assert len(receiver.wait_for(2, timeout=60)) == 2  # the new run's event
        # the first run's event was evaluated before the restart: not fired again
        assert len(receiver.wait_for(3, timeout=3)) == 2
        answer = httpx.get(f"{service.url}/api/automations/{automation_id}", headers=HEADERS)
        assert answer.status_code == 200 and answer.json()["name"] == "tell ops"


def test_a_proactive_trigger_fires_on_a_postgresql_backed_server(
    pg_url: str, receiver: Receiver, tmp_path: Path
) -> None:
    home = tmp_path / "server-home"
    with headwater_server(home, tmp_path / "logs", _server_env(pg_url)) as (service, _):
        made = _python(PROACTIVE.format(url=receiver.url), service, tmp_path / "laptop")
        assert made.returncode == 0, made.stderr
        [message, *_] = receiver.wait_for(1, timeout=60)
        assert message["subject"] == "silence"


def test_a_server_without_a_database_leaves_a_fresh_home_untouched(tmp_path: Path) -> None:
    """The evaluator is set up at start-up, but opens nothing until the home has a database."""
    home = tmp_path / "fresh-home"
    home.mkdir()
    with headwater_server(home, tmp_path / "logs", {"HEADWATER_SERVER_API_KEY": ""}) as (
        service,
        _,
    ):
        assert httpx.post(f"{service.url}/api/automations/filter", json={}).status_code == 200
        time.sleep(IDLE_POLL + 1)  # the evaluator's idle pass came and went
        assert not (home / "headwater.db").exists()


def test_two_servers_on_one_database_and_home_fire_each_event_once(
    pg_url: str, receiver: Receiver, tmp_path: Path
) -> None:
    """Both evaluate the home's automations over the database's events, taking turns over
    the home's cursor: an event recorded through either server notifies once."""
    home, env = tmp_path / "shared-home", _server_env(pg_url)
    with (
        headwater_server(home, tmp_path / "logs-a", env) as (first, _),
        headwater_server(home, tmp_path / "logs-b", env) as (second, _),
    ):
        created = _python(CREATE.format(url=receiver.url), first, tmp_path / "laptop")
        assert created.returncode == 0, created.stderr
        for server in (second, first):
            ran = _python(RUN, server, tmp_path / "worker")
            assert ran.returncode == 0, ran.stderr
        assert len(receiver.wait_for(2, timeout=60)) == 2
        assert len(receiver.wait_for(3, timeout=6)) == 2  # not once per server


ACT_ON_RUN = """
from headwater.automations import Automation
from headwater.events.actions import ChangeFlowRunState, EmitEvent
from headwater.events.schemas.automations import EventTrigger

automation = Automation(
    name="mark bad loads",
    trigger=EventTrigger(expect={"data.load-failed"}),
    actions=[
        ChangeFlowRunState(state="FAILED", name="Bad load", message="see ops", force=True),
        EmitEvent(event="ops.alerted", resource={"headwater.resource.id": "ops"}),
    ],
).create()
print(automation.id)
"""


def test_actions_record_their_states_and_events_in_postgresql(pg_url: str, tmp_path: Path) -> None:
    env = _server_env(pg_url)
    with headwater_server(tmp_path / "server-home", tmp_path / "logs", env) as (service, _):
        created = _python(ACT_ON_RUN, service, tmp_path / "laptop")
        assert created.returncode == 0, created.stderr
        ran = _python(RUN, service, tmp_path / "worker")
        assert ran.returncode == 0, ran.stderr
        deadline = time.monotonic() + 60
        while _events_in_database(pg_url, "ops.alerted") == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        # seen through the server's API: the run's new state and the action's events
        runs = httpx.post(f"{service.url}/api/flow_runs/filter", headers=HEADERS, json={},
                          timeout=30).json()  # fmt: skip
        assert [(r["state"]["type"], r["state"]["name"]) for r in runs] == [("FAILED", "Bad load")]
        events = httpx.post(
            f"{service.url}/api/events/filter", headers=HEADERS, timeout=30,
            json={"filter": {"event": {"prefix": ["ops.", "headwater.automation."]}}},
        ).json()["events"]  # fmt: skip
        names = {e["event"] for e in events}
    assert {"ops.alerted", "headwater.automation.triggered",
            "headwater.automation.action.executed"} <= names, names  # fmt: skip
    assert _events_in_database(pg_url, "headwater.flow-run.Bad load") == 1
    home_db = tmp_path / "server-home" / "headwater.db"
    if home_db.exists():  # the home keeps the automation, not the run history
        with sqlite3.connect(home_db) as db:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
            if "events" in tables:
                assert db.execute("SELECT count(*) FROM events").fetchone() == (0,)
