"""Automations with no server: an evaluator thread beside every store that records.

`attach(store)` runs when a process opens the run store for writing (see
`headwater.history.STORE_SERVICES`). It costs the engine nothing per task: the
store's writer wakes the thread after committing a batch that held events, and
a timer wakes it when a Proactive window closes. At exit the thread's last
pass runs after the store's final flush, so a short script's failure still
notifies. Passes in all processes sharing a home take turns (see `evaluator`).
Nothing heavy is imported until an automation exists.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from headwater.automations.evaluator import Evaluator
    from headwater.automations.storage import AutomationStorage

logger = logging.getLogger("headwater.automations")

#: seconds between checks for automations created by other processes, when idle
IDLE_POLL = 5.0
#: at least this long between passes, so a busy writer does not start one per batch
MIN_INTERVAL = 0.1


class BackgroundEvaluator:
    """Drives an `Evaluator` from a daemon thread until the store closes (or `stop()`).

    Beside a recording store: `BackgroundEvaluator(store)`, woken by its commits. With
    no store (a server, which wakes it after each batch it commits): `storage`, and
    `make_evaluator(storage)` when events come from elsewhere; `ready()` false leaves
    the home untouched (no pass) until its database exists.
    """

    def __init__(
        self,
        store: Any = None,
        *,
        storage: AutomationStorage | None = None,
        make_evaluator: Callable[[AutomationStorage], Evaluator] | None = None,
        ready: Callable[[], bool] | None = None,
    ) -> None:
        from headwater.automations.storage import get_storage

        self._store = weakref.ref(store) if store is not None else None
        self.storage = storage if storage is not None else get_storage(store.home)
        self.wake = threading.Event()
        self.stopping = False
        self._pass_lock = threading.Lock()
        self._evaluator: Evaluator | None = None
        self._make_evaluator = make_evaluator
        self._ready = ready
        self._process_id = getattr(store, "process_id", None)
        self.thread = threading.Thread(target=self._run, name="headwater-automations", daemon=True)

    def start(self) -> None:
        store = self._store() if self._store is not None else None
        if store is not None:
            store.add_commit_listener(self.wake.set)
        self.thread.start()

    def run_pass(self) -> None:
        """One evaluation pass, never raising (a failure is logged and retried next time)."""
        with self._pass_lock:
            try:
                if self._evaluator is None:
                    if self._ready is not None and not self._ready():
                        return
                    if not _any_automation(self.storage):
                        return
                    from headwater.automations.evaluator import Evaluator

                    if self._make_evaluator is not None:
                        self._evaluator = self._make_evaluator(self.storage)
                    else:
                        self._evaluator = Evaluator(self.storage, self._process_id)
                self._evaluator.run_once()
            except Exception:
                logger.exception("headwater automations: an evaluation pass failed")

    def _timeout(self) -> float:
        evaluator = self._evaluator
        if evaluator is None:
            return IDLE_POLL
        try:
            deadline = evaluator.next_deadline()
        except Exception:
            return IDLE_POLL
        if deadline is None:
            return IDLE_POLL
        return min(IDLE_POLL, max(deadline - time.time(), MIN_INTERVAL))

    def _run(self) -> None:
        while not self.stopping:
            self.wake.wait(self._timeout())
            self.wake.clear()
            store = self._store() if self._store is not None else None
            if self._store is not None and (store is None or getattr(store, "closed", False)):
                break
            if self.stopping:
                break
            self.run_pass()
            time.sleep(MIN_INTERVAL)
        store = self._store() if self._store is not None else None
        if store is not None:
            store.remove_commit_listener(self.wake.set)

    def stop(self, final_pass: bool = True) -> None:
        """Evaluate what the store holds now (flushing it first), then stop the thread."""
        self.stopping = True
        self.wake.set()
        if self._store is None:  # nothing to flush: whoever wakes us committed already
            if final_pass:
                self.run_pass()
            if self.thread.is_alive() and threading.current_thread() is not self.thread:
                self.thread.join(5.0)
            return
        store = self._store()
        if final_pass and store is not None and not getattr(store, "closed", True):
            try:
                store.flush(30.0)
            except Exception:
                logger.exception("headwater automations: could not flush before the last pass")
            self.run_pass()
            try:  # the outcome events of that pass
                store.flush(30.0)
            except Exception:
                pass
        if self.thread.is_alive() and threading.current_thread() is not self.thread:
            self.thread.join(5.0)

    def close(self) -> None:
        """The store is closing: a last pass, then stop (the store then releases every
        feature's connection to the home, this evaluator's included)."""
        if not self.stopping:
            self.stop(final_pass=True)
        elif self.thread.is_alive() and threading.current_thread() is not self.thread:
            self.thread.join(5.0)


def _any_automation(storage: Any) -> bool:
    rows = storage.query("SELECT 1 FROM automations WHERE enabled = 1 LIMIT 1")
    return bool(rows)


_attached: weakref.WeakKeyDictionary[Any, BackgroundEvaluator] = weakref.WeakKeyDictionary()


#: homes whose automations this process evaluates by other means (a server's own thread)
_elsewhere: set[Path] = set()


def evaluated_elsewhere(home: Path | str) -> None:
    """This process evaluates `home`'s automations itself (the server does, over its own
    history): a store it opens on that home starts no evaluator beside it."""
    _elsewhere.add(Path(home).resolve())


def attach(store: Any) -> BackgroundEvaluator | None:
    """Start evaluating automations beside `store` (a store that records into a home)."""
    if store in _attached or not hasattr(store, "add_commit_listener"):
        return _attached.get(store)
    if _elsewhere and Path(getattr(store, "home", "")).resolve() in _elsewhere:
        return None
    background = BackgroundEvaluator(store)
    _attached[store] = background
    background.start()
    if hasattr(store, "add_close_listener"):  # nothing of ours touches a closed home
        store.add_close_listener(background.close)
    # registered after the store's own exit handler, so it runs first (LIFO): the
    # last pass sees everything flushed, and its own events are flushed after it
    atexit.register(_at_exit, weakref.ref(background))
    return background


def evaluator_for(store: Any) -> BackgroundEvaluator | None:
    return _attached.get(store)


def _at_exit(ref: weakref.ref[BackgroundEvaluator]) -> None:
    background = ref()
    if background is not None and not background.stopping:
        background.stop(final_pass=True)
