"""Run history: the store the engine records into, picked from settings.

The embedded SQLite store, or with HEADWATER_API_URL set, a store that sends the
records to a headwater server (`api_store`). `get_store()` opens it on first use,
never at `import headwater`. `open_for_reading()` is for code that only
reads history (the CLI): it writes nothing, so it works on a read-only home.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from headwater.history.base import CapturingRecorder, RunHistory, RunRecorder, RunStore
from headwater.history.records import Event, FlowRun, LogEntry, StateChange, TaskRun

if TYPE_CHECKING:
    from headwater.history.api_reader import ApiRunHistory

__all__ = [
    "CapturingRecorder",
    "Event",
    "FlowRun",
    "LogEntry",
    "RunHistory",
    "RunRecorder",
    "RunStore",
    "StateChange",
    "TaskRun",
    "api_history",
    "get_store",
    "is_throttling",
    "open_for_reading",
    "reset_store",
]

_store: RunStore | None = None
_lock = threading.Lock()

#: "module:function" of services started beside a store that records (each gets the
#: store): automations evaluate the events recorded in the home. Named by text so the
#: run store does not depend on what builds on it (as the CLI's CORE_COMMANDS).
STORE_SERVICES: list[str] = ["headwater.automations.runtime:attach"]


def get_store() -> RunStore:
    """The process's run store, opened on first use."""
    global _store
    store = _store
    if store is not None:
        return store
    with _lock:
        if _store is None:
            from headwater import settings

            api_url = settings.get("api_url")
            if api_url:  # records go to a headwater server (services stay local: none here)
                from headwater.history.api_store import ApiRunStore

                _store = ApiRunStore(api_url, settings.get("api_key") or None, settings.home())
                return _store
            from headwater.history.sqlite import SQLiteRunStore

            _store = SQLiteRunStore(settings.home())
            _start_services(_store)
        return _store


def _start_services(store: RunStore) -> None:
    import importlib
    import logging

    for path in STORE_SERVICES:
        module_name, _, function = path.partition(":")
        try:
            getattr(importlib.import_module(module_name), function)(store)
        except Exception:  # a service must never stop history from being recorded
            logging.getLogger("headwater.history").exception("could not start %s", path)


def open_for_reading(home: Path | str | None = None) -> RunHistory:
    """Run history to read, without registering a process or writing anything.

    With HEADWATER_API_URL set (environment or profile) and no `home` given, the
    server's history over its REST API. In a process that already opened the store
    for the same home, that store (which shows its own records still in flight);
    otherwise a read-only view.
    Raises `RunStoreError` if the home or its database cannot be read.
    """
    from headwater import settings
    from headwater.history.reader import ReadOnlyRunStore

    if home is None:
        remote = api_history()
        if remote is not None:
            return remote
    path = Path(home) if home is not None else settings.home()
    store = _store
    if store is not None and Path(getattr(store, "home", "")) == path:
        return store
    return ReadOnlyRunStore(path)


def api_history() -> ApiRunHistory | None:
    """The history of the server HEADWATER_API_URL names (None if unset), read over HTTP
    with HEADWATER_API_KEY (one client per process, server and key)."""
    from headwater import settings

    url = settings.get("api_url")
    if not url:
        return None
    from headwater.history.api_reader import ApiRunHistory
    from headwater.utilities.api_client import shared_client

    return shared_client(ApiRunHistory, url, settings.get("api_key") or None)


def is_throttling() -> bool:
    """True while some thread waits for the writer to catch up (backpressure).

    The thread runner's pool uses this to tell threads held back on purpose
    from threads stuck in user code.
    """
    store = _store
    return store is not None and getattr(store, "throttled_threads", 0) > 0


def reset_store() -> None:
    """Flush and close the current store; the next `get_store()` reopens from settings.

    Tests use this after changing HEADWATER_HOME.
    """
    global _store
    with _lock:
        if _store is not None:
            _store.close()
        _store = None


def _register_home_listener() -> None:
    from headwater import settings

    settings.home_listeners.append(reset_store)


_register_home_listener()
