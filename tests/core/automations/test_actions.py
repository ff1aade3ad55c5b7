"""Actions run by the in-process evaluator thread: notifications, flow run states, events."""

from __future__ import annotations

import time
import uuid

import pytest
from headwater import flow, task
from headwater.automations import Automation, AutomationError
from headwater.events import emit_event
from headwater.events.actions import (
    CancelFlowRun,
    DoNothing,
    EmitEvent,
    PauseAutomation,
    RunDeployment,
    SendNotification,
)
from headwater.events.schemas.automations import EventTrigger
from headwater.history import get_store, open_for_reading


def events_named(prefix: str, timeout: float = 20.0, count: int = 1) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        get_store().flush()
        found = [
            e for e in open_for_reading().read_events(limit=1000) if e["event"].startswith(prefix)
        ]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_notification_from_an_event_in_a_failing_flow(receiver, ops_block):
    Automation(
        name="tell ops",
        trigger=EventTrigger(expect={"data.load-failed"}),
        actions=[
            SendNotification(
                block_name=ops_block,
                subject="{{ event.event }} on {{ resource['prefect.resource.id'] }}",
                body="run {{ flow_run.name }} of {{ flow_run.flow_name }}: {{ flow_run_url }}",
            )
        ],
    ).create()

    @flow(name="loader")
    def loader() -> None:
        emit_event("data.load-failed", resource={"headwater.resource.id": "warehouse.orders"})
        raise ValueError("boom")

    state = loader(return_state=True)
    assert state.is_failed()
    [message] = receiver.wait_for(1)
    assert message["subject"] == "data.load-failed on warehouse.orders"
    assert (
        message["body"].startswith("run ")
        and " of loader: headwater flow-run inspect " in message["body"]
    )
    executed = events_named("headwater.automation.action.executed")
    assert executed and executed[0]["resource"]["headwater.resource.name"] == "tell ops"
    assert events_named("headwater.automation.triggered")


def test_a_failing_notification_never_fails_the_flow_and_is_recorded(receiver, ops_block):
    receiver.status = 500
    Automation(
        name="broken",
        trigger=EventTrigger(expect={"ping"}),
        actions=[SendNotification(block_name=ops_block, body="x")],
    ).create()

    @task
    def ping() -> int:
        emit_event("ping", resource={"prefect.resource.id": "p"})
        return 1

    @flow
    def pinger() -> int:
        return ping() + 1

    assert pinger() == 2
    [failed] = events_named("headwater.automation.action.failed")
    assert "500" in failed["payload"]["reason"] and "ops" in failed["payload"]["reason"]
    assert failed["payload"]["action_type"] == "send-notification"


def test_cancel_flow_run_records_cancelled_state():
    Automation(
        name="stop it",
        trigger=EventTrigger(expect={"too.slow"}),
        actions=[CancelFlowRun()],
    ).create()
    store = get_store()

    @flow
    def slow() -> str:
        emit_event("too.slow", resource={"prefect.resource.id": "x"})
        store.flush()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if events_named("headwater.flow-run.Cancelled", timeout=0):
                break
            time.sleep(0.05)
        return "done"

    from headwater.context import FlowRunContext  # noqa: F401

    slow()
    [cancelled] = events_named("headwater.flow-run.Cancelled")
    run_id = cancelled["resource"]["headwater.resource.id"].rsplit(".", 1)[1]
    states = [s["name"] for s in open_for_reading().read_states(run_id)]
    assert "Cancelled" in states


def test_pause_automation_inferred_and_emit_event():
    a = Automation(
        name="once",
        trigger=EventTrigger(expect={"ping"}),
        actions=[
            EmitEvent(
                event="pong.{{ event.event }}",
                resource={"prefect.resource.id": "{{ automation.name }}"},
            ),
            PauseAutomation(source="inferred"),
        ],
    ).create()
    emit_event("ping", resource={"prefect.resource.id": "p"})
    [pong] = events_named("pong.ping")
    assert pong["resource"]["prefect.resource.id"] == "once"
    deadline = time.monotonic() + 20
    while Automation.read(id=a.id).enabled and time.monotonic() < deadline:
        time.sleep(0.05)
    assert Automation.read(id=a.id).enabled is False


def test_missing_block_refused_at_create_naming_it():
    with pytest.raises(AutomationError, match="custom-webhook/nope"):
        Automation(
            name="x",
            trigger=EventTrigger(expect={"a"}),
            actions=[SendNotification(block_name="custom-webhook/nope", body="b")],
        ).create()
    with pytest.raises(AutomationError, match=r"block_document_id .*headwater block ls"):
        Automation(
            name="x",
            trigger=EventTrigger(expect={"a"}),
            actions=[SendNotification(block_document_id=uuid.uuid4(), body="b")],
        ).create()


def test_run_deployment_is_accepted_but_refused_at_create():
    auto = Automation(name="d", trigger=EventTrigger(expect={"a"}), actions=[RunDeployment()])
    with pytest.raises(AutomationError, match="run-deployment.*not yet supported.*deployments"):
        auto.create()


def test_crud_read_update_delete_enable_disable():
    a = Automation(name="crud", trigger=EventTrigger(expect={"a"}), actions=[DoNothing()]).create()
    assert isinstance(a.id, uuid.UUID)
    assert Automation.read(name="crud").id == a.id
    a.description = "changed"
    a.update()
    assert Automation.read(id=str(a.id)).description == "changed"
    assert a.disable() and Automation.read(id=a.id).enabled is False
    assert a.enable() and Automation.read(id=a.id).enabled is True
    assert a.delete()
    with pytest.raises(ValueError, match="crud.*not found"):
        Automation.read(name="crud")
    with pytest.raises(ValueError, match="One of id or name"):
        Automation.read()


def test_async_twins():
    import asyncio

    async def main() -> bool:
        a = await Automation(
            name="as", trigger=EventTrigger(expect={"a"}), actions=[DoNothing()]
        ).acreate()
        assert (await Automation.aread(name="as")).id == a.id
        assert await a.adisable()
        return await a.adelete()

    assert asyncio.run(main())
