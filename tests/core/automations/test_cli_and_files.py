"""`headwater automation ...` and automations from YAML / JSON, including bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from headwater.automations import Automation
from headwater.cli.main import build_cli
from headwater.events.actions import SendNotification

GOOD = """
automations:
  - name: failed flows
    description: tell ops
    trigger:
      expect: ["prefect.flow-run.Failed"]
      match: {"prefect.resource.id": "prefect.flow-run.*"}
    actions:
      - type: send-notification
        block_name: custom-webhook/ops
        subject: "{{ flow_run.name }} failed"
        body: "{{ flow_run.state.message }}"
  - name: no data
    trigger:
      type: event
      expect: ["data.loaded"]
      posture: Proactive
      within: 3600
    actions:
      - type: do-nothing
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build_cli(), list(args))
    return result.exit_code, result.output


def test_create_from_yaml_then_ls_inspect_pause_resume_delete(tmp_path: Path, ops_block: str):
    f = tmp_path / "a.yaml"
    f.write_text(GOOD)
    code, out = run("automation", "create", "--from-file", str(f))
    assert code == 0, out
    assert "Created automation 'failed flows'" in out and "Created automation 'no data'" in out
    a = Automation.read(name="failed flows")
    assert isinstance(a.actions[0], SendNotification)
    assert Automation.read(name="no data").trigger.within.total_seconds() == 3600

    code, out = run("automation", "ls")
    assert code == 0 and "failed flows" in out and "Proactive" in out and "send-notification" in out
    code, out = run("automation", "inspect", "failed flows")
    assert code == 0 and "prefect.flow-run.Failed" in out
    code, out = run("automation", "inspect", str(a.id), "--output", "json")
    assert json.loads(out)["name"] == "failed flows"

    assert run("automation", "pause", "failed flows")[0] == 0
    assert Automation.read(id=a.id).enabled is False
    assert run("automation", "resume", str(a.id)[:8])[0] == 0
    assert Automation.read(id=a.id).enabled is True
    assert run("automation", "disable", "no data")[0] == 0
    assert run("automation", "enable", "no data")[0] == 0
    code, out = run("automation", "delete", "failed flows")
    assert code == 0 and "Deleted" in out
    with pytest.raises(ValueError):
        Automation.read(name="failed flows")


def test_create_from_json():
    doc = {"name": "j", "trigger": {"expect": ["a"]}, "actions": [{"type": "do-nothing"}]}
    code, out = run("automation", "create", "--from-json", json.dumps(doc))
    assert code == 0, out
    assert Automation.read(name="j").trigger.expect == {"a"}


@pytest.mark.parametrize(
    "doc, expected",
    [
        (
            {
                "name": "u",
                "trigger": {"expect": ["a"], "expcet": ["b"]},
                "actions": [{"type": "do-nothing"}],
            },
            r"automation 'u'.*trigger\.event\.expcet: unknown field",
        ),
        (
            {
                "name": "w",
                "trigger": {"expect": ["a"], "within": "soon"},
                "actions": [{"type": "do-nothing"}],
            },
            r"automation 'w'.*within.*'soon'",
        ),
        (
            {
                "name": "p",
                "trigger": {"expect": ["a"], "posture": "Proactive", "within": 5},
                "actions": [{"type": "do-nothing"}],
            },
            r"automation 'p'.*at least 10 seconds",
        ),
        (
            {
                "name": "b",
                "trigger": {"expect": ["a"]},
                "actions": [
                    {"type": "send-notification", "block_name": "custom-webhook/nope", "body": "x"}
                ],
            },
            r"automation 'b'.*custom-webhook/nope",
        ),
        (
            {"name": "d", "trigger": {"expect": ["a"]}, "actions": [{"type": "run-deployment"}]},
            r"automation 'd'.*run-deployment.*not yet supported",
        ),
        (
            {"name": "x", "trigger": {"expect": ["a"]}, "actions": [{"type": "explode"}]},
            r"automation 'x'.*actions\.0.*explode",
        ),
    ],
)
def test_bad_input_is_refused_naming_it_and_nothing_is_saved(tmp_path: Path, doc, expected):
    keep = {"name": "keep", "trigger": {"expect": ["a"]}, "actions": [{"type": "do-nothing"}]}
    assert run("automation", "create", "--from-json", json.dumps(keep))[0] == 0
    f = tmp_path / "bad.json"
    ok = {"name": "fine", "trigger": {"expect": ["a"]}, "actions": [{"type": "do-nothing"}]}
    f.write_text(json.dumps({"automations": [ok, doc]}))
    code, out = run("automation", "create", "-f", str(f))
    assert code == 1
    import re

    assert re.search(expected, out, re.S), out
    assert "bad.json" in out
    names = [
        r.name
        for r in map(
            Automation.from_row,
            __import__("headwater.automations.storage", fromlist=["x"]).get_storage().list(),
        )
    ]
    assert names == ["keep"]  # the good one in the bad file was not saved either


def test_bad_yaml_and_missing_file(tmp_path: Path):
    f = tmp_path / "a.yaml"
    f.write_text("name: [unclosed\n")
    code, out = run("automation", "create", "-f", str(f))
    assert code == 1 and "a.yaml is not valid YAML" in out
    code, out = run("automation", "create", "-f", str(tmp_path / "none.yaml"))
    assert code == 1 and "cannot read" in out and "none.yaml" in out
    code, out = run("automation", "inspect", "ghost")
    assert code == 1 and "no automation has the id or name 'ghost'" in out


def test_serve_once_evaluates(receiver, ops_block):
    from headwater.events import emit_event
    from headwater.events.schemas.automations import EventTrigger

    Automation(
        name="s",
        trigger=EventTrigger(expect={"ping"}),
        actions=[SendNotification(block_name=ops_block, body="{{ event.event }}")],
    ).create()
    emit_event("ping", resource={"prefect.resource.id": "x"})
    code, out = run("automation", "serve", "--once")
    assert code == 0, out
    assert [m["body"] for m in receiver.wait_for(1)] == ["ping"]
