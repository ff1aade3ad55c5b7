"""The evaluator: reads recorded events, counts them for each enabled automation, fires.

One pass (`run_once`) is one write transaction on the home's database: it reads
the events after the shared cursor, updates trigger buckets, checks Proactive
windows that closed, queues the actions of every trigger that fired (claimed by
this process) and moves the cursor. Processes sharing a home run passes one at
a time, so each event is evaluated, and each firing acted on, exactly once.
The actions run after the commit, outside the lock (see `execution`).

The class assumes nothing about the process it runs in: the in-process thread
(`runtime`), `headwater automation serve` and the server drive it. By default it
reads the home's own `events`; a server keeping its history elsewhere (PostgreSQL)
passes `read_events`, while cursor, buckets and firings stay in the home.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from headwater.automations.buckets import Bucket, evaluate, on_event, read_buckets, save_bucket
from headwater.automations.storage import AutomationStorage
from headwater.events.schemas.automations import (
    AutomationCore,
    CompoundTrigger,
    EventTrigger,
    Posture,
    SequenceTrigger,
)
from headwater.events.schemas.events import Event

logger = logging.getLogger("headwater.automations")

#: events read per transaction (a long backlog is worked through in several)
BATCH = 500

#: rows of events after a seq, oldest first: (seq, id, event, occurred, resource_json,
#: payload_json, related_json), as the home's `events` view gives them
ReadEvents = Callable[[int, int], Sequence[Sequence[Any]]]
#: a flow run by id as a dict (name, flow_name, state_type, state_name, state_message)
ReadFlowRun = Callable[[str], "dict[str, Any] | None"]


@dataclass
class LoadedAutomation:
    id: str
    created: float
    model: AutomationCore
    triggers: list[tuple[str, EventTrigger]] = field(default_factory=list)


@dataclass
class QueuedAction:
    """An action a firing queued, claimed by this process to run after the commit."""

    seq: int
    automation: LoadedAutomation
    action_index: int
    action: Any
    firing: dict[str, Any]


class Evaluator:
    """Evaluates a home's automations against its events. Thread-safe: passes serialise."""

    def __init__(
        self,
        storage: AutomationStorage,
        process_id: int | None = None,
        run_actions: Callable[[list[QueuedAction]], None] | None = None,
        *,
        read_events: ReadEvents | None = None,
        read_flow_run: ReadFlowRun | None = None,
        recorder: Any = None,
    ) -> None:
        """`read_events(after_seq, limit)`: where events come from (default: the home's
        `events`, read in the pass's transaction); `read_flow_run(id)`: where templates
        and actions find a flow run (default: the home's `flow_runs`); `recorder`: what
        records the events and flow-run states actions make (`record_event`,
        `record_state`; default: the process's run store and the home's tables)."""
        self.storage = storage
        self.process_id = process_id
        self._run_actions = run_actions
        self._read_events = read_events
        self.read_flow_run = read_flow_run
        self.recorder = recorder
        self._version: tuple[Any, ...] | None = None
        self._loaded: list[LoadedAutomation] = []

    # --- the pass ------------------------------------------------------------------
    def run_once(self, now: float | None = None) -> list[QueuedAction]:
        """Evaluate what is new; run the actions that fired; return them."""
        automations = self._automations()
        if not automations:
            return []
        queued: list[QueuedAction] = []
        while True:
            at = time.time() if now is None else now
            batch, more = self.storage.transaction(
                lambda c, at=at: self._pass(c, automations, at)  # type: ignore[misc]
            )
            queued += batch
            if batch:
                self._act(batch)
            if not more:
                return queued

    def next_deadline(self) -> float | None:
        """When the earliest open Proactive window closes (None: no timer needed)."""
        proactive = [a for a in self._loaded if _has_proactive(a)]
        if not proactive:
            return None
        ids = [a.id for a in proactive]
        marks = ",".join("?" * len(ids))
        rows = self.storage.query(
            f"SELECT min(end) FROM automation_buckets WHERE automation_id IN ({marks})", ids
        )
        # a Proactive trigger without `after` opens its first window on the next pass
        return rows[0][0] if rows and rows[0][0] is not None else time.time()

    def _act(self, batch: list[QueuedAction]) -> None:
        if self._run_actions is not None:
            self._run_actions(batch)
            return
        from headwater.automations.execution import run_queued

        run_queued(self.storage, batch, self.read_flow_run, self.recorder)

    def _automations(self) -> list[LoadedAutomation]:
        version = self.storage.version()
        if version != self._version:
            loaded = []
            for row in self.storage.list(enabled_only=True):
                try:
                    model = AutomationCore.model_validate(row["spec"])
                except ValueError as exc:
                    logger.error("automation %r cannot be evaluated: %s", row["name"], exc)
                    continue
                loaded.append(LoadedAutomation(row["id"], row["created"], model,
                                               model.event_triggers()))  # fmt: skip
            self._loaded, self._version = loaded, version
        return self._loaded

    def _pass(
        self, c: sqlite3.Connection, automations: list[LoadedAutomation], now: float
    ) -> tuple[list[QueuedAction], bool]:
        queued: list[QueuedAction] = []
        row = c.execute("SELECT seq FROM automation_cursor WHERE id = 1").fetchone()
        cursor = row[0] if row else 0
        if self._read_events is not None:
            rows: Sequence[Sequence[Any]] = self._read_events(cursor, BATCH)
        else:
            rows = c.execute(
                "SELECT seq, id, event, occurred, resource_json, payload_json, related_json "
                "FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                (cursor, BATCH),
            ).fetchall()
        oldest = min(a.created for a in automations)
        for r in rows:
            cursor = r[0]
            if isinstance(r[3], float) and r[3] < oldest:  # before every automation: skip
                continue
            event, as_dict = _event(r)
            if event is None:
                continue
            for automation in automations:
                if event.occurred.timestamp() < automation.created:
                    continue
                fire = self._firer(c, automation, queued, now)
                for path, trigger in automation.triggers:
                    if trigger.covers(event):
                        on_event(c, automation.id, path, trigger, event, as_dict, fire)
        c.execute("INSERT OR REPLACE INTO automation_cursor (id, seq) VALUES (1, ?)", (cursor,))
        more = len(rows) == BATCH
        if not more:
            for automation in automations:
                self._proactive(c, automation, queued, now)
        return queued, more

    def _proactive(
        self, c: sqlite3.Connection, automation: LoadedAutomation,
        queued: list[QueuedAction], now: float,
    ) -> None:  # fmt: skip
        fire = self._firer(c, automation, queued, now)
        for path, trigger in automation.triggers:
            if trigger.posture != Posture.Proactive:
                continue
            buckets = read_buckets(c, automation.id, path)
            if not buckets and not trigger.after and not trigger.for_each:
                within = trigger.within.total_seconds()
                start = max(now, automation.created)
                save_bucket(c, Bucket(automation.id, path, (), start, start + within, 0))
                continue
            for bucket in buckets:
                if bucket.end <= now:
                    evaluate(c, trigger, bucket, now, None, fire)

    # --- firing ---------------------------------------------------------------------
    def _firer(
        self, c: sqlite3.Connection, automation: LoadedAutomation,
        queued: list[QueuedAction], now: float,
    ) -> Callable[[str, Bucket, dict[str, Any] | None], None]:  # fmt: skip
        def fire(path: str, bucket: Bucket, event: dict[str, Any] | None) -> None:
            trigger = _trigger_at(automation.model, path)
            labels = dict(zip(sorted(getattr(trigger, "for_each", ())), bucket.key, strict=False))
            self._fired(c, automation, path, event, labels, queued, now)

        return fire

    def _fired(
        self, c: sqlite3.Connection, automation: LoadedAutomation, path: str,
        event: dict[str, Any] | None, labels: dict[str, str],
        queued: list[QueuedAction], now: float,
    ) -> None:  # fmt: skip
        if path != "0":  # a child of a compound or sequence trigger
            parent_path, _, child = path.rpartition(".")
            fired_at = (event or {}).get("occurred", now)
            c.execute(
                "INSERT INTO automation_child_firings (automation_id, parent_path, child_index, "
                "fired, event_json) VALUES (?, ?, ?, ?, ?)",
                (automation.id, parent_path, int(child), fired_at, json.dumps(event)),
            )
            if self._composite_ready(c, automation, parent_path, now):
                self._fired(c, automation, parent_path, event, labels, queued, now)
            return
        firing = {
            "automation_id": automation.id,
            "automation_name": automation.model.name,
            "triggered": now,
            "event": event,
            "labels": labels,
        }
        model = automation.model
        for index, action in enumerate([*model.actions, *model.actions_on_trigger]):
            seq = c.execute(
                "INSERT INTO automation_actions (automation_id, action_index, firing_json, "
                "status, process_id, created) VALUES (?, ?, ?, 'claimed', ?, ?)",
                (automation.id, index, json.dumps(firing), self.process_id, time.time()),
            ).lastrowid
            queued.append(QueuedAction(seq or 0, automation, index, action, firing))

    def _composite_ready(
        self, c: sqlite3.Connection, automation: LoadedAutomation, path: str, now: float
    ) -> bool:
        parent = _trigger_at(automation.model, path)
        assert isinstance(parent, (CompoundTrigger, SequenceTrigger))
        where = "automation_id = ? AND parent_path = ?"
        if parent.within is not None:
            c.execute(
                f"DELETE FROM automation_child_firings WHERE {where} AND fired < ?",
                (automation.id, path, now - parent.within.total_seconds()),
            )
        rows = c.execute(
            f"SELECT child_index, fired FROM automation_child_firings WHERE {where} "
            "ORDER BY fired, seq",
            (automation.id, path),
        ).fetchall()
        if isinstance(parent, CompoundTrigger):
            ready = len({r[0] for r in rows}) >= parent.num_expected_firings
        else:  # in order: child 0, then child 1 at or after it, ...
            wanted = 0
            for index, _ in rows:
                if index == wanted:
                    wanted += 1
            ready = wanted == len(parent.triggers)
        if ready:
            c.execute(f"DELETE FROM automation_child_firings WHERE {where}", (automation.id, path))
        return ready


def _trigger_at(model: AutomationCore, path: str) -> Any:
    trigger: Any = model.trigger
    for part in path.split(".")[1:]:
        trigger = trigger.triggers[int(part)]
    return trigger


def _has_proactive(automation: LoadedAutomation) -> bool:
    return any(t.posture == Posture.Proactive for _, t in automation.triggers)


def _event(row: Sequence[Any]) -> tuple[Event | None, dict[str, Any]]:
    """A stored event as Prefect's Event (for matching) and as a plain dict (for templates)."""
    as_dict = {
        "id": row[1],
        "event": row[2],
        "occurred": row[3],
        "resource": json.loads(row[4] or "{}"),
        "payload": json.loads(row[5] or "{}"),
        "related": json.loads(row[6] or "[]"),
    }
    try:
        event = Event(
            event=row[2], resource=as_dict["resource"], occurred=row[3],
            related=as_dict["related"], payload=as_dict["payload"], id=row[1],
        )  # fmt: skip
    except (TypeError, ValueError) as exc:
        logger.debug("skipping malformed event %s: %s", row[1], exc)
        return None, as_dict
    return event, as_dict
