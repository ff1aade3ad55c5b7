"""examples/automations.py, run as users run it, against a local webhook receiver."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from headwater.automations import Automation
from headwater.automations.evaluator import Evaluator
from headwater.automations.storage import get_storage

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def run_example(receiver, fail: bool) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NOTIFY_WEBHOOK_URL": receiver.url}
    env.pop("SLACK_WEBHOOK_URL", None)
    if fail:
        env["FAIL"] = "1"
    return subprocess.run(
        [sys.executable, "automations.py"], cwd=EXAMPLES, env=env,
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip


def test_failed_flow_notifies_before_the_script_exits(receiver):
    done = run_example(receiver, fail=True)
    assert done.returncode == 0, done.stderr
    assert "nightly finished: Failed" in done.stdout
    [message] = receiver.wait_for(1, timeout=5)  # sent by the exit-time pass, before exit
    assert message["text"].startswith("Flow run ") and " failed: nightly: " in message["text"]
    assert "the warehouse is down" in message["text"]

    ok = run_example(receiver, fail=False)  # re-running keeps the two automations
    assert ok.returncode == 0, ok.stderr
    assert "nightly finished: Completed" in ok.stdout
    assert len(receiver.messages) == 1
    assert sorted(r["name"] for r in get_storage().list()) == ["data not loaded", "pipeline failed"]


def test_proactive_automation_notifies_when_data_loaded_is_missing(receiver):
    done = run_example(receiver, fail=True)  # creates the automations; data.loaded never comes
    assert done.returncode == 0, done.stderr
    receiver.wait_for(1, timeout=5)
    Automation.read(name="pipeline failed").disable()
    Evaluator(get_storage()).run_once(now=time.time() + 3601)  # an hour later
    texts = [m["text"] for m in receiver.wait_for(2)]
    assert "No data loaded: No data.loaded event in the last hour." in texts
