"""Helpers for headwater-shell tests: reading back runs, and proving a process tree is gone.

A module with a unique name (not `conftest`), so tests import it safely when
several test folders run in one session.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from headwater.history import get_store


def wait_for_pid(pidfile: Path, timeout: float = 10.0) -> int:
    """The pid a script wrote (`echo $$ > pidfile`): its process group id."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = pidfile.read_text().strip() if pidfile.exists() else ""
        if text:
            return int(text)
        time.sleep(0.01)
    raise AssertionError(f"{pidfile} was never written")


def group_exists(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def assert_group_gone(pgid: int, timeout: float = 10.0) -> None:
    """No process of the group survives (not even a zombie): killpg(pgid, 0) fails."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not group_exists(pgid):
            with pytest.raises(ProcessLookupError):
                os.killpg(pgid, 0)
            return
        time.sleep(0.02)
    members = os.popen(f"ps -o pid,ppid,stat,args -g {pgid}").read()
    raise AssertionError(f"process group {pgid} still has members:\n{members}")


def logs_of(flow_run_id: str) -> list[dict[str, Any]]:
    store = get_store()
    store.flush()
    return store.read_logs(flow_run_id)


def messages_of(flow_run_id: str) -> list[str]:
    return [entry["message"] for entry in logs_of(flow_run_id)]


def flow_run_id(state: Any) -> str:
    return state.state_details["flow_run_id"]  # type: ignore[no-any-return]
