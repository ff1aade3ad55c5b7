"""The run store when HEADWATER_API_URL is set: records go to a headwater server.

`record_*` appends to a deque, exactly as the embedded store does; the `sender`
thread batches and sends them (retrying, then spilling to HEADWATER_HOME/api-spill).
`flush()` returns once everything recorded before it was taken by the server or
saved to disk. At exit the store waits HEADWATER_STORE_EXIT_WAIT seconds (default 10)
for the server, then saves the rest to a spill file and says where on stderr.

Reading back (the read side of `RunStore`) goes to the server's read routes for
single runs; the rest goes through the HTTP read side (`headwater.history.api_reader`).
Variables, concurrency limits and artifacts still use the local HEADWATER_HOME.
"""

from __future__ import annotations

import atexit
import importlib
import os
import sys
import threading
import time
import weakref
from collections import deque
from pathlib import Path
from typing import Any

from headwater import settings
from headwater.history.base import RunHistory, RunStore
from headwater.history.queued import LOW_WATER, QueuedRecorder
from headwater.history.sender import Sender

__all__ = ["ApiRunStore"]

#: how long recording past HIGH_WATER waits for the sender (history.queued)
BACKPRESSURE_WAIT = 60.0
EXIT_WAIT = 10.0
#: the HTTP read side, when installed ("module:class", built with (url, api_key))
READER = "headwater.history.api_reader:ApiRunHistory"
_STORES: weakref.WeakSet[ApiRunStore] = weakref.WeakSet()


class ApiRunStore(QueuedRecorder, RunStore):
    """Records into the headwater server at `url` (e.g. http://127.0.0.1:4200/api)."""

    def __init__(self, url: str, api_key: str | None, home: Path) -> None:
        self.url = url.rstrip("/")
        self.home = Path(home)
        self._api_key = api_key
        self._queue: deque[Any] = deque()
        self._closed = False
        self._reader: RunHistory | None = None
        self._sender = Sender(self.url, api_key, self.home, self._queue)
        self._sender.start()
        _STORES.add(self)
        atexit.register(_settle_at_exit, weakref.ref(self))

    def __repr__(self) -> str:  # never the key
        return f"ApiRunStore(url={self.url!r})"

    @property
    def closed(self) -> bool:
        return self._closed

    # --- write side: the engine's hot path ---------------------------------------
    def _backpressure(self) -> None:
        """The sender is behind on encoding: wait (bounded) until the queue is lower."""
        sender = self._sender
        sender.wake.set()
        deadline = time.monotonic() + BACKPRESSURE_WAIT
        while len(self._queue) > LOW_WATER and sender.alive() and time.monotonic() < deadline:
            time.sleep(0.001)

    # --- flushing -------------------------------------------------------------------
    def flush(self, timeout: float | None = None) -> None:
        """Block until what was recorded before is taken by the server or saved to disk."""
        if not self._sender.alive():
            self._save_rest("the sender is not running")
            return
        marker = threading.Event()
        self._queue.append(marker)
        self._sender.wake.set()
        marker.wait(timeout)

    def settle(self, timeout: float | None = None) -> None:
        """Before exit: wait for the server (HEADWATER_STORE_EXIT_WAIT s), then spill the rest."""
        try:
            wait = settings.get_float("store_exit_wait", EXIT_WAIT)
        except ValueError:
            wait = EXIT_WAIT
        wait = EXIT_WAIT if wait is None else wait
        if timeout is not None:
            wait = min(wait, timeout)
        sender = self._sender
        deadline = time.monotonic() + wait
        while sender.alive() and not sender.idle() and time.monotonic() < deadline:
            if sender.refused is not None:
                break
            sender.wake.set()
            time.sleep(0.02)
        sender.stop(35.0)
        reason = sender.refused or sender.failing or f"not all sent within {wait:g} s"
        # a sender stuck in a request past that: spill anyway (a batch both sent and
        # spilled is applied once, by its id)
        self._save_rest(reason, force=True)

    def _save_rest(self, reason: str, force: bool = False) -> None:
        """Spill whatever the stopped sender holds, and say where (stderr: logging may be gone)."""
        sender = self._sender
        if sender.alive() and not force:
            return
        sender._take()
        count = sender.pending_records
        where = sender.spill_pending(reason)
        if where is not None:
            sys.stderr.write(
                f"headwater: {count} run records could not be sent to {self.url} ({reason}); "
                f"they were saved to {where} and are sent by the next headwater process that "
                "records into that server\n"
            )

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.settle()
        if self._reader is not None:
            self._reader.close()

    # --- read side ------------------------------------------------------------------
    def _history(self) -> RunHistory:
        if self._reader is None:
            module_name, _, name = READER.partition(":")
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                raise NotImplementedError(
                    f"reading run history from the server at {self.url} is not available in "
                    f"this headwater; use the server's REST API ({self.url}/docs) or unset "
                    "HEADWATER_API_URL to read the local store"
                ) from None
            self._reader = getattr(module, name)(self.url, self._api_key)
        return self._reader

    def _get_run(self, kind: str, run_id: str) -> dict[str, Any] | None:
        """One run by full id from the server's own read route (GET /api/<kind>_runs/<id>)."""
        import httpx

        self.flush(30.0)
        headers = {"authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        answer = httpx.get(f"{self.url}/{kind}_runs/{run_id}", headers=headers, timeout=30)
        if answer.status_code == 404:
            return None
        answer.raise_for_status()
        row: dict[str, Any] = answer.json()
        state = row.get("state") or {}
        row.setdefault("state_message", state.get("message"))
        return row

    def read_flow_run(self, run_id: str) -> dict[str, Any] | None:
        return self._get_run("flow", run_id)

    def read_task_run(self, run_id: str) -> dict[str, Any] | None:
        return self._get_run("task", run_id)

    def read_flow_runs(
        self, state: str | None = None, flow_name: str | None = None, limit: int = 50
    ) -> list[dict[str, Any]]:
        return self._history().read_flow_runs(state, flow_name, limit)

    def read_task_runs(
        self, flow_run_id: str | None = None, state: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        return self._history().read_task_runs(flow_run_id, state, limit)

    def read_states(self, run_id: str) -> list[dict[str, Any]]:
        return self._history().read_states(run_id)

    def read_logs(self, run_id: str, include_task_runs: bool = True) -> list[dict[str, Any]]:
        return self._history().read_logs(run_id, include_task_runs)

    def read_events(
        self,
        limit: int | None = 100,
        *,
        after: int | None = None,
        since: float | None = None,
        until: float | None = None,
        where: tuple[str, list[Any]] | None = None,
        oldest_first: bool = False,
    ) -> list[dict[str, Any]]:
        return self._history().read_events(
            limit, after=after, since=since, until=until, where=where, oldest_first=oldest_first
        )

    def last_event_seq(self) -> int:
        return self._history().last_event_seq()

    def read_matching_events(
        self, match: Any, limit: int | None = 100, after: int | None = None,
        oldest_first: bool = False,
    ) -> list[dict[str, Any]]:  # fmt: skip
        """What `headwater.events.filters.read_events` asks of a history without SQL."""
        reader: Any = self._history()
        found: list[dict[str, Any]] = reader.read_matching_events(match, limit, after, oldest_first)
        return found

    def find_runs(self, kind: str, ref: str, limit: int = 20) -> list[dict[str, Any]]:
        return self._history().find_runs(kind, ref, limit)

    def count_task_runs(self, flow_run_id: str | None = None) -> int:
        return self._history().count_task_runs(flow_run_id)

    def _after_fork_in_child(self) -> None:
        if self._closed:
            return
        self._queue = deque()
        self._sender = Sender(self.url, self._api_key, self.home, self._queue)
        self._sender.start()


def _settle_at_exit(ref: weakref.ref[ApiRunStore]) -> None:
    store = ref()
    if store is not None and not store.closed:
        try:
            store.settle()
        except Exception:  # never turn a clean exit into a traceback
            import logging

            logging.getLogger("headwater.history").exception("could not send records at exit")


def _after_fork_in_child() -> None:
    for store in list(_STORES):
        store._after_fork_in_child()


os.register_at_fork(after_in_child=_after_fork_in_child)
