"""The state a run ends in, given what its function returned (Prefect 3's rule).

From prefect/states.py `return_value_to_state` and prefect/flow_engine.py
`handle_success`:
- a State made by the user (not the state of some run) is the run's state as is;
- a State of another run, or a non-empty list, tuple or set whose items are all
  States, is aggregated: Completed if all completed, else Cancelled if any was
  cancelled, Paused if any paused, Failed otherwise ("1/3 states failed.");
- anything else is data, and the run Completes with it, even a tuple holding a
  Failed State beside other values, or a dict of States;
- a generator is consumed into a list (generators cannot be stored or sent).

A flow waits for the futures it returns first and counts them as their final
states; where the aggregate completes, its value has the futures' results.
"""

from __future__ import annotations

import time
from types import GeneratorType
from typing import Any

from headwater.annotations import BaseAnnotation
from headwater.engine.visit import visit
from headwater.futures import HeadwaterFuture
from headwater.states import Completed, State, StateType


def is_state_iterable(value: Any) -> bool:
    """A non-empty list, tuple or set whose items are all States (Prefect's test)."""
    return (
        isinstance(value, (list, tuple, set))
        and not isinstance(value, BaseAnnotation)
        and bool(value)
        and all(isinstance(item, State) for item in value)
    )


def is_run_state(state: State) -> bool:
    """Whether `state` belongs to a run already (rather than made by the user's code)."""
    details = state.state_details
    return bool(details.get("task_run_id") or details.get("flow_run_id"))


def states_returned(value: Any) -> bool:
    """Whether a returned value decides the run's state (rather than being its data)."""
    return isinstance(value, State) or is_state_iterable(value)


def state_from_return_value(value: Any) -> State:
    """The final state for a value a task (or, after `wait_for_returned_futures`,
    a flow) returned."""
    if isinstance(value, State) and not is_run_state(value):
        return value
    if states_returned(value):
        return aggregate_state([value] if isinstance(value, State) else list(value), value)
    if isinstance(value, GeneratorType):
        value = list(value)
    return Completed(data=value)


def flow_state_from_return_value(value: Any) -> State:
    """A flow's final state: returned futures are waited for and stand for their states."""
    if isinstance(value, State):
        return state_from_return_value(value)
    if isinstance(value, HeadwaterFuture):
        value.wait()
        inner = value.state
        if inner.type is StateType.COMPLETED:
            return Completed(data=inner.result())
        return inner.copy(timestamp=time.time(), state_details={})
    if isinstance(value, (list, tuple, set)) and value and not isinstance(value, BaseAnnotation):
        items = list(value)
        if all(isinstance(item, (State, HeadwaterFuture)) for item in items):
            states = [_final_state(item) for item in items]
            if all(s.type is StateType.COMPLETED for s in states):
                # returned futures become their results; returned States stay as they are
                return Completed(message="All states completed.", data=_results(value))
            return aggregate_state(states, value)
    if isinstance(value, GeneratorType):
        value = list(value)
    return Completed(data=_results(value))


def aggregate_state(states: list[State], returned: Any) -> State:
    """One state for many: Prefect's StateGroup rule and messages."""
    total = len(states)
    counts = {t: sum(1 for s in states if s.type is t) for t in StateType}
    if counts[StateType.COMPLETED] == total:
        return Completed(message="All states completed.", data=returned)
    if counts[StateType.CANCELLED]:
        kind, message = (
            StateType.CANCELLED,
            f"{counts[StateType.CANCELLED]}/{total} states cancelled.",
        )
    elif counts[StateType.PAUSED]:
        kind, message = StateType.PAUSED, f"{counts[StateType.PAUSED]}/{total} states paused."
    else:
        failed = counts[StateType.FAILED] + counts[StateType.CRASHED]
        kind = StateType.FAILED
        if failed:
            message = f"{failed}/{total} states failed."
        else:
            unfinished = sum(1 for s in states if not s.is_final())
            message = f"{unfinished}/{total} states are not final."
    # the states are the data: their first failure is what `.result()` raises
    return State(kind, message=message, data=list(states))


def _final_state(item: State | HeadwaterFuture[Any]) -> State:
    if isinstance(item, HeadwaterFuture):
        item.wait()
        return item.state
    return item


def _results(value: Any) -> Any:
    """`value` with its completed futures replaced by their results; a future that did
    not complete is replaced by its final state (Prefect leaves states in the data)."""
    return visit(value, _result_or_state)


def _result_or_state(item: HeadwaterFuture[Any] | State, allowed: bool) -> Any:
    if isinstance(item, State):
        return item
    item.wait()
    state = item.state
    return state.result() if state.type is StateType.COMPLETED else state
