"""Reading back what the engine recorded, for assertions."""

from __future__ import annotations

from typing import Any

from headwater.history import get_store
from headwater.states import State


def flow_run_id(state: State) -> str:
    return state.state_details["flow_run_id"]  # type: ignore[no-any-return]


def recorded_task_runs(state: State) -> list[dict[str, Any]]:
    store = get_store()
    store.flush()
    return store.read_task_runs(flow_run_id=flow_run_id(state))


def recorded_logs(state: State) -> list[str]:
    store = get_store()
    store.flush()
    return [log["message"] for log in store.read_logs(flow_run_id(state))]


def recorded_flow_run(state: State) -> dict[str, Any]:
    store = get_store()
    store.flush()
    run = store.read_flow_run(flow_run_id(state))
    assert run is not None
    return run
