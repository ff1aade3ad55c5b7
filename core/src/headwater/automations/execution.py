"""Carrying out the actions a firing queued, and saying how each went in events.

Each firing emits `headwater.automation.triggered`; each action
`headwater.automation.action.triggered`, then `...action.executed` or
`...action.failed` (Prefect's names, with headwater's prefix). A failing action
is logged and recorded; it never raises into the flow it reports on.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import sqlite3
import time
from typing import Any

from headwater.automations.evaluator import QueuedAction, ReadFlowRun
from headwater.automations.storage import AutomationStorage
from headwater.automations.templates import flow_run_id_of, render, template_context
from headwater.events.actions import (
    CancelFlowRun,
    ChangeFlowRunState,
    DoNothing,
    EmitEvent,
    PauseAutomation,
    ResumeAutomation,
    ResumeFlowRun,
    SendNotification,
    SuspendFlowRun,
)

logger = logging.getLogger("headwater.automations")

_FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


class ActionFailed(Exception):
    """An action could not be carried out; the message says which and why."""


def run_queued(
    storage: AutomationStorage,
    queued: list[QueuedAction],
    read_flow_run: ReadFlowRun | None = None,
    recorder: Any = None,
) -> None:
    """Run each action, record its outcome; never raises. Where the run history is not
    the home's (a server's database): `read_flow_run` reads its flow runs, and
    `recorder` (`record_event`, `record_state`) records the events and flow-run states
    actions make into it."""
    if recorder is not None:
        from headwater.events.emit import recording_into

        with recording_into(recorder):
            _run_all(storage, queued, read_flow_run, recorder)
    else:
        _run_all(storage, queued, read_flow_run, None)


def _run_all(
    storage: AutomationStorage,
    queued: list[QueuedAction],
    read_flow_run: ReadFlowRun | None,
    recorder: Any,
) -> None:
    announced: set[int] = set()
    for item in queued:
        if id(item.firing) not in announced:
            announced.add(id(item.firing))
            _emit_safely("headwater.automation.triggered", item, {})
        _emit_safely("headwater.automation.action.triggered", item, {})
        try:
            run_action(storage, item, read_flow_run, recorder)
        except Exception as exc:
            reason = str(exc) or type(exc).__name__
            logger.error(
                "automation %r: action %d (%s) failed: %s",
                item.automation.model.name, item.action_index, item.action.type, reason,
            )  # fmt: skip
            _finish(storage, item, "failed", reason)
            _emit_safely("headwater.automation.action.failed", item, {"reason": reason})
        else:
            _finish(storage, item, "executed", None)
            _emit_safely("headwater.automation.action.executed", item, {})


def run_action(
    storage: AutomationStorage,
    item: QueuedAction,
    read_flow_run: ReadFlowRun | None = None,
    recorder: Any = None,
) -> None:
    action = item.action
    if isinstance(action, DoNothing):
        return
    if isinstance(action, SendNotification):
        _notify(storage, item, action, read_flow_run)
    elif isinstance(action, (CancelFlowRun, SuspendFlowRun, ResumeFlowRun, ChangeFlowRunState)):
        if read_flow_run is not None and recorder is not None:
            _change_state_through(read_flow_run, recorder, item, action)
        elif read_flow_run is not None:
            raise ActionFailed(f"{action.type}: no way to record a state in this run history")
        else:
            _change_flow_run_state(storage, item, action)
    elif isinstance(action, (PauseAutomation, ResumeAutomation)):
        target = str(action.automation_id or item.automation.id)
        if not storage.set_enabled(target, isinstance(action, ResumeAutomation)):
            raise ActionFailed(f"{action.type}: no automation with id {target}")
    elif isinstance(action, EmitEvent):
        context = template_context(storage, item, read_flow_run)
        from headwater.events import emit_event

        emit_event(
            render(action.event, context, "event"),
            resource={k: render(v, context, f"resource[{k}]") for k, v in action.resource.items()},
            payload=action.payload,
        )
    else:
        raise ActionFailed(f"{action.type} actions are not supported yet")


def _notify(
    storage: AutomationStorage, item: QueuedAction, action: SendNotification,
    read_flow_run: ReadFlowRun | None,
) -> None:  # fmt: skip
    from headwater.blocks.abstract import NotificationBlock

    block = load_notification_block(action.block_document_id, action.block_name)
    if not isinstance(block, NotificationBlock):
        raise ActionFailed(
            f"send-notification: block {action.block_name or action.block_document_id} is a "
            f"{type(block).__name__}, not a NotificationBlock"
        )
    context = template_context(storage, item, read_flow_run)
    subject = render(action.subject, context, "subject")
    body = render(action.body, context, "body")
    with block.raise_on_failure():
        result: Any = block.notify(body, subject=subject)
        if inspect.isawaitable(result):
            asyncio.run(_wait(result))


async def _wait(awaitable: Any) -> Any:
    return await awaitable


def load_notification_block(block_document_id: Any, block_name: str | None) -> Any:
    """The saved block an action names, or ActionFailed/BlockNotFoundError naming it."""
    from headwater.blocks.core import Block
    from headwater.blocks.documents import get_block_storage

    if block_name is not None:
        if "/" not in block_name:
            raise ActionFailed(
                f"block_name {block_name!r} needs the block type too, e.g. "
                f"'custom-webhook/{block_name}' (see `headwater block ls`)"
            )
        return Block.load(block_name)
    wanted = str(block_document_id)
    for doc in get_block_storage().list_documents():
        if doc.id == wanted:
            return Block.load(f"{doc.block_type_slug}/{doc.name}")
    raise ActionFailed(
        f"no saved block has block_document_id {wanted}; see `headwater block ls`, "
        "or name it with block_name: <type>/<name>"
    )


_STATE_OF = {
    "cancel-flow-run": ("CANCELLED", "Cancelled"),
    "suspend-flow-run": ("PAUSED", "Suspended"),
    "resume-flow-run": ("SCHEDULED", "Resuming"),
}


def _new_state(item: QueuedAction, action: Any) -> tuple[str, str, str, str]:
    """(flow run id, state type, state name, message) an action asks for."""
    run_id = flow_run_id_of(item.firing.get("event"))
    if run_id is None:
        raise ActionFailed(f"{action.type}: the triggering event is not about a flow run")
    state_type: str
    if isinstance(action, ChangeFlowRunState):
        state_type = action.state
        state_name = action.name or action.state.capitalize()
    else:
        state_type, state_name = _STATE_OF[action.type]
    message = getattr(action, "message", None) or (
        f"{state_name} by automation {item.automation.model.name!r}"
    )
    return run_id, state_type, state_name, message


def _left_alone(action: Any, run_name: str, current: str | None) -> bool:
    """A final state is kept unless the action forces a change."""
    if current in _FINAL and not getattr(action, "force", False):
        logger.info("%s: flow run %r is already %s; left as it is", action.type, run_name, current)
        return True
    return False


def _change_state_through(
    read_flow_run: ReadFlowRun, recorder: Any, item: QueuedAction, action: Any
) -> None:
    """The same change in a run history written through `recorder` (a server's database):
    the state is recorded as a client's would be, its event derived with it."""
    from headwater.history.records import StateChange

    run_id, state_type, state_name, message = _new_state(item, action)
    run = read_flow_run(run_id)
    if run is None:
        raise ActionFailed(f"{action.type}: flow run {run_id} is not in the run history")
    if _left_alone(action, run.get("name") or run_id, run.get("state_type")):
        return
    recorder.record_state(StateChange(run_id, "flow", state_type, state_name, message, time.time()))


def _change_flow_run_state(storage: AutomationStorage, item: QueuedAction, action: Any) -> None:
    """Record the new state in the run history (the running process is not interrupted)."""
    run_id, state_type, state_name, message = _new_state(item, action)
    rows = storage.query("SELECT state_type, name FROM flow_runs WHERE id = ?", (run_id,))
    if not rows:
        raise ActionFailed(f"{action.type}: flow run {run_id} is not in the run history")
    current, run_name = rows[0]
    if _left_alone(action, run_name, current):
        return
    now = time.time()

    def record(c: sqlite3.Connection) -> None:
        c.execute(
            "INSERT INTO states (run_id, run_kind, type, name, message, timestamp) "
            "VALUES (?, 'flow', ?, ?, ?, ?)",
            (run_id, state_type, state_name, message, now),
        )
        end = now if state_type in _FINAL else None
        c.execute(
            "UPDATE flow_runs SET state_type = ?, state_name = ?, state_message = ?, "
            "state_timestamp = ?, end_time = COALESCE(end_time, ?) WHERE id = ?",
            (state_type, state_name, message, now, end, run_id),
        )

    storage.transaction(record)
    from headwater.events import emit_event

    emit_event(
        f"headwater.flow-run.{state_name}",
        resource={
            "headwater.resource.id": f"headwater.flow-run.{run_id}",
            "headwater.resource.name": run_name,
            "headwater.state-type": state_type,
        },
    )


def _finish(storage: AutomationStorage, item: QueuedAction, status: str, error: str | None) -> None:
    try:
        storage.transaction(
            lambda c: c.execute(
                "UPDATE automation_actions SET status = ?, finished = ?, error = ? WHERE seq = ?",
                (status, time.time(), error, item.seq),
            )
        )
    except sqlite3.Error:
        logger.exception("could not record the outcome of an automation action")


def _emit_safely(name: str, item: QueuedAction, extra: dict[str, Any]) -> None:
    from headwater.events import emit_event

    automation = item.automation
    event = item.firing.get("event") or {}
    related = []
    if event.get("id"):
        related.append(
            {"headwater.resource.id": f"headwater.event.{event['id']}",
             "headwater.resource.role": "triggering-event"}
        )  # fmt: skip
    payload: dict[str, Any] = {"triggering_labels": item.firing.get("labels", {})}
    if name.startswith("headwater.automation.action"):
        payload.update(action_index=item.action_index, action_type=item.action.type)
    payload.update(extra)
    try:
        emit_event(
            name,
            resource={
                "headwater.resource.id": f"headwater.automation.{automation.id}",
                "headwater.resource.name": automation.model.name,
            },
            related=related,
            payload=payload,
        )
    except Exception:
        logger.exception("could not record %s", name)
