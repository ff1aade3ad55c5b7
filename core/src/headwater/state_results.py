"""Getting a run's value out of its final state.

Kept apart from `states.py` because persisted results (loaded from storage
on demand) plug in here, through `ResultReference`. Prefect's `prefect.results`
names live in `headwater.results`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from headwater.states import UNSET, StateType

if TYPE_CHECKING:
    from headwater.states import State


class ResultReference:
    """A result that lives in storage; `get()` loads it. Subclassed by result persistence."""

    def get(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError


def state_result(state: State, raise_on_failure: bool = True) -> Any:
    data = state.data
    if isinstance(data, ResultReference):
        data = data.get()
    if state.type is StateType.COMPLETED:
        return None if data is UNSET else data
    if state.type in (StateType.FAILED, StateType.CRASHED, StateType.CANCELLED):
        exc = data if isinstance(data, BaseException) else _exception_for(state)
        if raise_on_failure:
            raise exc
        return exc
    from headwater.exceptions import PausedRun, UnfinishedRun

    if state.type is StateType.PAUSED:
        raise PausedRun("Run is paused, its result is not available.", state=state)
    raise UnfinishedRun(
        f"Run is in {state.type.value} state, its result is not available yet. "
        "Wait for it to finish first."
    )


def _exception_for(state: State) -> BaseException:
    from headwater import exceptions

    # Prefect's wrappers (prefect/states.py `get_state_exception`)
    message = state.message or f"Run ended in state {state.name}"
    if state.type is StateType.CRASHED:
        return exceptions.CrashedRun(message)
    if state.type is StateType.CANCELLED:
        return exceptions.CancelledRun(message)
    if isinstance(state.data, str):
        return exceptions.FailedRun(state.data)
    if (
        isinstance(state.data, (list, tuple))
        and state.data
        and all(hasattr(s, "type") for s in state.data)
    ):
        for s in state.data:
            if s.type is not StateType.COMPLETED:
                return _exception_for(s) if not isinstance(s.data, BaseException) else s.data
    return exceptions.FailedRun(message)
