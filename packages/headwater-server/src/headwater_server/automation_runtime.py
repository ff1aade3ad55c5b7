"""Automations over what clients record through the server.

A client with HEADWATER_API_URL set evaluates no automations itself: its events
land where the server keeps its history, and the server evaluates the automations
saved in its home over them. `ServerAutomations` is set up once when the API is
built: core's evaluator thread (`headwater.automations.runtime.BackgroundEvaluator`,
its Proactive timer included) over the home's automation storage, woken after each
committed batch that brought states or events, so an automation fires as soon as
its event is committed. With HEADWATER_DATABASE_URL the evaluator reads the
database's `event_rows` (through the history's `SQLAlchemyRunStore`, no second
engine); its cursor, buckets and firings stay in the home, as without a database, and the
events and flow-run states its actions make are written into the database
(`DatabaseRecorder`), where clients and the API see them.
A home with no database is left untouched until one exists (an automation saved).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from headwater.automations.evaluator import Evaluator
    from headwater.automations.runtime import BackgroundEvaluator
    from headwater.automations.storage import AutomationStorage
    from headwater.history.records import Event, StateChange

    from headwater_server.database.run_store import SQLAlchemyRunStore
    from headwater_server.store import HistoryHolder

logger = logging.getLogger("headwater.server")

__all__ = ["DatabaseRecorder", "ServerAutomations"]


class ServerAutomations:
    """The server's one automation evaluator: `start()` at start-up, `wake()` after each
    committed batch, `stop()` at shutdown. None of them raises."""

    def __init__(self, home: Path, history: HistoryHolder) -> None:
        self.home = Path(home)
        self._history = history
        self._background: BackgroundEvaluator | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        from headwater import settings
        from headwater.automations.runtime import BackgroundEvaluator, evaluated_elsewhere
        from headwater.automations.storage import get_storage

        with self._lock:
            if self._background is not None:
                return
            # the actions' own events may open the home's store in this process: that
            # store must not start a second evaluator (nor one over the home's events)
            evaluated_elsewhere(self.home)
            storage = get_storage(self.home)  # opened on first use: touches nothing yet
            in_database = bool(settings.get("database_url"))
            if in_database:
                storage.latest_event_seq = self._latest_seq
            database = self.home / "headwater.db"
            self._background = BackgroundEvaluator(
                storage=storage,
                make_evaluator=self._database_evaluator if in_database else None,
                ready=database.exists,
            )
            self._background.start()

    def wake(self) -> None:
        """Have the evaluator look at newly committed events now."""
        background = self._background
        if background is not None:
            background.wake.set()

    def stop(self) -> None:
        """A last pass over what is committed, then stop the thread (before the history
        closes: the pass may read it)."""
        with self._lock:
            background, self._background = self._background, None
        if background is None:
            return
        try:
            background.stop(final_pass=True)
        except Exception:
            logger.exception("the automation evaluator did not stop cleanly")

    # --- events from the server's database ------------------------------------------
    def _database(self) -> SQLAlchemyRunStore:
        from headwater_server.database.run_store import SQLAlchemyRunStore

        store = self._history.get()
        if not isinstance(store, SQLAlchemyRunStore):  # HEADWATER_DATABASE_URL removed?
            raise RuntimeError(
                f"the server's history is {store!r}, not a database: restart the server "
                "after changing HEADWATER_DATABASE_URL"
            )
        return store

    def _database_evaluator(self, storage: AutomationStorage) -> Evaluator:
        from headwater.automations.evaluator import Evaluator

        return Evaluator(
            storage,
            read_events=self._read_events,
            read_flow_run=self._flow_run,
            recorder=DatabaseRecorder(self._database, self.wake),
        )

    def _read_events(self, after: int, limit: int) -> Sequence[Sequence[Any]]:
        return self._database().event_rows_after(after, limit)

    def _flow_run(self, run_id: str) -> dict[str, Any] | None:
        return self._database().read_flow_run(run_id)

    def _latest_seq(self) -> int:
        return self._database().last_event_seq()


class DatabaseRecorder:
    """Records what automation actions make (their events, a flow run's new state) into
    the server's database, each at once in its own transaction: actions are few, and
    an automation reacting to another's event should see it on the next pass."""

    def __init__(
        self, store: Callable[[], SQLAlchemyRunStore], written: Callable[[], None]
    ) -> None:
        self._store = store
        self._written = written  # wakes the evaluator: the write is an event too

    def record_event(self, event: Event) -> None:
        self._store().write_batch(_batch_id(), [], [], [], [], [event])
        self._written()

    def record_state(self, change: StateChange) -> None:
        self._store().write_batch(_batch_id(), [], [], [change], [], [])
        self._written()


def _batch_id() -> str:
    return f"automation-{uuid.uuid4().hex}"
