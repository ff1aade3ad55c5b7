"""An evaluator fed from events kept outside the home (a server's database): the cursor,
buckets and firings stay in the home; templates read the flow run from the same place;
a background evaluator with no store leaves a home without a database untouched."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from headwater.automations import Automation
from headwater.automations.evaluator import Evaluator, QueuedAction
from headwater.automations.execution import ActionFailed, run_action
from headwater.automations.runtime import BackgroundEvaluator
from headwater.automations.storage import AutomationStorage, get_storage
from headwater.automations.templates import template_context
from headwater.events.actions import CancelFlowRun, DoNothing
from headwater.events.schemas.automations import EventTrigger

RUN_ID = "0190a1b2-c3d4-7e5f-0001-8a9b0000c0de"


def _event_id(seq: int) -> str:
    return f"0190a1b2-c3d4-7e5f-{seq:04d}-eeeeeeeeeeee"


class Elsewhere:
    """Event rows in a list, read as the server reads its database's `event_rows`."""

    def __init__(self) -> None:
        self.rows: list[tuple[Any, ...]] = []
        self.asked: list[int] = []

    def add(self, seq: int, name: str) -> None:
        resource = {"headwater.resource.id": f"headwater.flow-run.{RUN_ID}"}
        self.rows.append((seq, _event_id(seq), name, time.time(), json.dumps(resource), "{}", "[]"))

    def read(self, after: int, limit: int) -> Sequence[Sequence[Any]]:
        self.asked.append(after)
        return [r for r in self.rows if r[0] > after][:limit]

    def latest(self) -> int:
        return max((r[0] for r in self.rows), default=0)


def _automation(storage: AutomationStorage, source: Elsewhere) -> None:
    storage.latest_event_seq = source.latest
    Automation(
        name="on failure", trigger=EventTrigger(expect={"job.failed"}), actions=[DoNothing()]
    ).create()


def test_events_come_from_elsewhere_and_the_cursor_starts_at_its_newest() -> None:
    source, storage = Elsewhere(), get_storage()
    source.add(40, "job.failed")  # before the automation: never fires
    _automation(storage, source)
    evaluator = Evaluator(storage, run_actions=lambda batch: None, read_events=source.read)
    assert evaluator.run_once() == []
    assert source.asked == [40]  # the cursor started at the source's newest seq
    source.add(41, "job.failed")
    source.add(42, "job.ok")
    source.add(43, "job.failed")
    assert [q.firing["event"]["id"] for q in evaluator.run_once()] == [_event_id(41), _event_id(43)]
    assert evaluator.run_once() == []  # the cursor, in the home, moved past them
    assert storage.query("SELECT seq FROM automation_cursor") == [(43,)]


def test_templates_read_the_flow_run_where_the_events_come_from() -> None:
    source, storage = Elsewhere(), get_storage()
    _automation(storage, source)
    source.add(1, "job.failed")
    runs = {RUN_ID: {"id": RUN_ID, "name": "quiet-fox", "flow_name": "etl",
                     "state_type": "FAILED", "state_name": "Failed", "state_message": "boom"}}  # fmt: skip
    evaluator = Evaluator(
        storage, run_actions=lambda batch: None, read_events=source.read, read_flow_run=runs.get
    )
    [item] = evaluator.run_once()
    context = template_context(storage, item, evaluator.read_flow_run)
    assert context["flow_run"]["name"] == "quiet-fox"
    assert context["flow_run"]["state"]["message"] == "boom"
    assert template_context(storage, item)["flow_run"] is None  # not in the home's runs


class Recorded:
    """A recorder as a server's database would be (see headwater_server.DatabaseRecorder)."""

    def __init__(self) -> None:
        self.states: list[Any] = []
        self.events: list[Any] = []

    def record_state(self, change: Any) -> None:
        self.states.append(change)

    def record_event(self, event: Any) -> None:
        self.events.append(event)


def test_flow_run_state_actions_over_a_database_go_through_its_recorder() -> None:
    source, storage = Elsewhere(), get_storage()
    _automation(storage, source)
    source.add(1, "job.failed")
    [item] = Evaluator(storage, run_actions=lambda batch: None, read_events=source.read).run_once()
    cancel = QueuedAction(item.seq, item.automation, 0, CancelFlowRun(), item.firing)
    runs = {"running": {"name": "r", "state_type": "RUNNING"}}
    recorder = Recorded()
    item.firing["event"] = {"resource": {"headwater.resource.id": "headwater.flow-run.running"}}
    run_action(storage, cancel, runs.get, recorder)
    [state] = recorder.states
    assert (state.run_id, state.type, state.name) == ("running", "CANCELLED", "Cancelled")
    runs["running"]["state_type"] = "COMPLETED"  # final: left alone unless forced
    run_action(storage, cancel, runs.get, recorder)
    assert len(recorder.states) == 1
    item.firing["event"] = {"resource": {"headwater.resource.id": "headwater.flow-run.gone"}}
    try:
        run_action(storage, cancel, runs.get, recorder)
    except ActionFailed as exc:
        assert "gone" in str(exc) and "not in the run history" in str(exc)
    else:
        raise AssertionError("a flow run the database does not have should fail, saying so")


def test_a_background_evaluator_without_a_store_waits_for_the_home_database(
    tmp_path: Path,
) -> None:
    home = tmp_path / "fresh"
    home.mkdir()
    background = BackgroundEvaluator(
        storage=get_storage(home), ready=(home / "headwater.db").exists
    )
    background.start()
    background.wake.set()
    background.stop(final_pass=True)
    assert not background.thread.is_alive()
    assert list(home.iterdir()) == []
