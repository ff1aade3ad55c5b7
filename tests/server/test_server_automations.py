"""Automations live on the server when clients have HEADWATER_API_URL set, and the server
evaluates them over the events its clients record: a flow run on one machine notifies
through an automation created from another."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hw_services import Service
from hw_webhook import Receiver, webhook_receiver
from server_process import headwater_server

API_KEY = "sentinel-automation-api-key-41c7"
TEAM_KEY = "_4jarm_JW_YCgLbp06V4MFr4dNjzAnSQpfDCXiXDUgs="
HEADERS = {"Authorization": f"Bearer {API_KEY}"}


@pytest.fixture(scope="module")
def team_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, Path]]:
    home = tmp_path_factory.mktemp("automation-server-home")
    # the server loads the notification blocks its automations name: it needs the team key
    env = {"HEADWATER_SERVER_API_KEY": API_KEY, "HEADWATER_ENCRYPTION_KEY": TEAM_KEY}
    with headwater_server(home, tmp_path_factory.mktemp("logs"), env) as (service, _):
        yield service, home


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as state:
        yield state


def _env(service: Service, home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HEADWATER_HOME": str(home),
        "HEADWATER_API_URL": f"{service.url}/api",
        "HEADWATER_API_KEY": API_KEY,
        "HEADWATER_ENCRYPTION_KEY": TEAM_KEY,
    }


def _python(code: str, service: Service, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        env=_env(service, home),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _cli(*argv: str, service: Service, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "headwater", *argv],
        env=_env(service, home),
        capture_output=True,
        text=True,
        timeout=60,
    )


CREATE = """
from headwater.automations import Automation
from headwater.events.actions import SendNotification
from headwater.events.schemas.automations import EventTrigger
from headwater.blocks.notifications import CustomWebhookNotificationBlock

CustomWebhookNotificationBlock(
    name="ops", url={url!r}, json_data={{"subject": "{{{{subject}}}}", "body": "{{{{body}}}}"}}
).save("ops", overwrite=True)
automation = Automation(
    name="tell ops",
    trigger=EventTrigger(expect={{"data.load-failed"}}),
    actions=[SendNotification(
        block_name="custom-webhook/ops",
        subject="{{{{ event.event }}}} on {{{{ resource['prefect.resource.id'] }}}}",
        body="run {{{{ flow_run.name }}}} of {{{{ flow_run.flow_name }}}}",
    )],
).create()
print(automation.id)
"""

RUN = """
from headwater import flow
from headwater.events import emit_event

@flow(name="loader")
def loader():
    emit_event("data.load-failed", resource={"headwater.resource.id": "warehouse.orders"})

loader()
"""


def test_an_automation_made_on_one_machine_fires_for_a_run_on_another(
    team_server: tuple[Service, Path], receiver: Receiver, tmp_path: Path
) -> None:
    service, server_home = team_server
    created = _python(CREATE.format(url=receiver.url), service, tmp_path / "laptop")
    assert created.returncode == 0, created.stderr
    automation_id = created.stdout.strip()
    on_server = httpx.get(f"{service.url}/api/automations/{automation_id}", headers=HEADERS)
    assert on_server.status_code == 200 and on_server.json()["name"] == "tell ops"
    assert not (tmp_path / "laptop" / "headwater.db").exists()  # nothing saved locally

    listed = _cli("automation", "ls", service=service, home=tmp_path / "elsewhere")
    assert listed.returncode == 0, listed.stderr
    assert "tell ops" in listed.stdout

    ran = _python(RUN, service, tmp_path / "worker")
    assert ran.returncode == 0, ran.stderr
    [message] = receiver.wait_for(1, timeout=60)
    assert message["subject"] == "data.load-failed on warehouse.orders"
    assert message["body"].startswith("run ") and message["body"].endswith(" of loader")

    disabled = _cli("automation", "disable", automation_id, service=service, home=tmp_path)
    assert disabled.returncode == 0, disabled.stderr
    again = httpx.get(f"{service.url}/api/automations/{automation_id}", headers=HEADERS)
    assert again.json()["enabled"] is False
    assert _python(RUN, service, tmp_path / "worker").returncode == 0
    assert len(receiver.wait_for(2, timeout=3)) == 1  # disabled: no second message

    deleted = _cli("automation", "delete", automation_id, service=service, home=tmp_path)
    assert deleted.returncode == 0, deleted.stderr
    gone = httpx.get(f"{service.url}/api/automations/{automation_id}", headers=HEADERS)
    assert gone.status_code == 404
    assert API_KEY not in listed.stdout + listed.stderr + deleted.stdout + deleted.stderr


def test_bad_automations_are_refused_naming_the_problem(
    team_server: tuple[Service, Path],
) -> None:
    service, _ = team_server
    api = f"{service.url}/api/automations/"
    unknown_field = {"name": "x", "trigger": {"type": "event", "expect": ["a"]}, "actons": []}
    answer = httpx.post(api, json=unknown_field, headers=HEADERS)
    assert answer.status_code == 422 and "actons" in answer.json()["detail"]
    no_trigger = httpx.post(api, json={"name": "x", "actions": []}, headers=HEADERS)
    assert no_trigger.status_code == 422 and "trigger" in no_trigger.json()["detail"]
    missing = httpx.patch(f"{api}not-an-id", json={"enabled": True}, headers=HEADERS)
    assert missing.status_code == 404 and "not-an-id" in missing.json()["detail"]
    unauthorised = httpx.post(api, json=unknown_field)
    assert unauthorised.status_code == 401
