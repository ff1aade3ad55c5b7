"""Run states: what a flow or task run is doing, or how it ended.

A `State` is a small immutable-by-convention object (no pydantic, so the hot
path stays cheap). Its `type` is one of `StateType`; its `name` may refine the
type ("Cached" and "TimedOut" are COMPLETED and FAILED states with another
name, as in Prefect). A final state may carry the run's result in `data`, or,
for failures, the exception that ended the run.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

__all__ = [
    "AwaitingRetry",
    "Cached",
    "Cancelled",
    "Cancelling",
    "Completed",
    "Crashed",
    "Failed",
    "Late",
    "Paused",
    "Pending",
    "Retrying",
    "Running",
    "Scheduled",
    "State",
    "StateType",
    "Suspended",
    "TimedOut",
    "exception_to_crashed_state",
]


class StateType(str, enum.Enum):
    SCHEDULED = "SCHEDULED"
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    CRASHED = "CRASHED"
    PAUSED = "PAUSED"
    CANCELLING = "CANCELLING"

    def __str__(self) -> str:
        return self.value


TERMINAL_TYPES = frozenset(
    {StateType.COMPLETED, StateType.FAILED, StateType.CRASHED, StateType.CANCELLED}
)
_DEFAULT_NAMES = {t: t.value.title() for t in StateType}


class _Unset:
    def __repr__(self) -> str:
        return "<unset>"


UNSET: Any = _Unset()

R = TypeVar("R")


class State(Generic[R]):
    """One state of a run. `data` holds the result (or exception) of a final state.

    Generic in the run's return type for type checkers only (`State[int]` from an
    `int` task with `return_state=True`); at run time it is one plain class.
    """

    # `_details` is the `state_details` dict, made on first use: None (no details yet)
    # or the task run that ended in this state (see `for_run`) until someone reads them.
    # A flow holding 100,000 futures keeps 100,000 final states: no dict each.
    __slots__ = ("_details", "data", "message", "name", "timestamp", "type")

    def __init__(
        self,
        type: StateType,
        name: str | None = None,
        message: str | None = None,
        data: Any = UNSET,
        timestamp: float | None = None,
        state_details: dict[str, Any] | None = None,
    ) -> None:
        self.type = type
        self.name = name or _DEFAULT_NAMES[type]
        self.message = message
        self.data = data
        self.timestamp = time.time() if timestamp is None else timestamp
        self._details: Any = state_details

    @property
    def state_details(self) -> dict[str, Any]:
        """Where the state belongs: `task_run_id`, `flow_run_id`, result location, ..."""
        details = self._details
        if type(details) is dict:
            return details
        made: dict[str, Any] = (
            {}
            if details is None
            else {"task_run_id": details.id, "flow_run_id": details.flow_run_id}
        )
        self._details = made
        return made

    @state_details.setter
    def state_details(self, details: dict[str, Any]) -> None:
        self._details = details

    def for_run(self, task_run: Any) -> None:
        """Note that `task_run` (anything with `id` and `flow_run_id`) ended in this
        state: its ids appear in `state_details`, made into a dict only when read."""
        if self._details is None:
            self._details = task_run
        else:
            details = self.state_details
            details["task_run_id"] = task_run.id
            details["flow_run_id"] = task_run.flow_run_id

    def __reduce__(self) -> tuple[Any, ...]:
        # pickled with its details as a dict, never with the run it points at
        return (
            _rebuild,
            (type(self), self.type, self.name, self.message, self.data, self.timestamp,
             self.state_details),
        )  # fmt: skip

    # --- predicates (Prefect's names) -----------------------------------------
    def is_scheduled(self) -> bool:
        return self.type is StateType.SCHEDULED

    def is_pending(self) -> bool:
        return self.type is StateType.PENDING

    def is_running(self) -> bool:
        return self.type is StateType.RUNNING

    def is_completed(self) -> bool:
        return self.type is StateType.COMPLETED

    def is_failed(self) -> bool:
        return self.type is StateType.FAILED

    def is_crashed(self) -> bool:
        return self.type is StateType.CRASHED

    def is_cancelled(self) -> bool:
        return self.type is StateType.CANCELLED

    def is_cancelling(self) -> bool:
        return self.type is StateType.CANCELLING

    def is_paused(self) -> bool:
        return self.type is StateType.PAUSED

    def is_final(self) -> bool:
        return self.type in TERMINAL_TYPES

    # --- results ----------------------------------------------------------------
    def result(self, raise_on_failure: bool = True) -> R:
        """The run's return value; re-raises the run's exception for failed states
        (returns it instead when `raise_on_failure=False`)."""
        from headwater.state_results import state_result

        return state_result(self, raise_on_failure=raise_on_failure)  # type: ignore[no-any-return]

    async def aresult(self, raise_on_failure: bool = True) -> R:
        return self.result(raise_on_failure=raise_on_failure)

    def copy(self, **changes: Any) -> State[R]:
        fields = {s: getattr(self, s) for s in _FIELDS}
        fields.update(changes)
        return State(**fields)

    def __repr__(self) -> str:
        parts = []
        if self.message:
            parts.append(repr(self.message))
        if self.name != _DEFAULT_NAMES[self.type]:
            parts.append(f"type={self.type.value}")
        return f"{self.name}({', '.join(parts)})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, State):
            return NotImplemented
        return (
            self.type is other.type
            and self.name == other.name
            and self.message == other.message
            and self.timestamp == other.timestamp
        )

    __hash__ = object.__hash__


_FIELDS = ("data", "message", "name", "state_details", "timestamp", "type")


def _rebuild(cls: type[State], *fields: Any) -> State:
    return cls(*fields)


def _make(state_type: StateType, default_name: str | None = None) -> Callable[..., State]:
    def constructor(
        message: str | None = None,
        data: Any = UNSET,
        name: str | None = None,
        cls: type[State] = State,
        **kwargs: Any,
    ) -> State:
        return cls(state_type, name=name or default_name, message=message, data=data, **kwargs)

    constructor.__name__ = default_name or _DEFAULT_NAMES[state_type]
    constructor.__doc__ = f"A {state_type.value} state named {constructor.__name__!r}."
    return constructor


Scheduled = _make(StateType.SCHEDULED)
Late = _make(StateType.SCHEDULED, "Late")
AwaitingRetry = _make(StateType.SCHEDULED, "AwaitingRetry")
Pending = _make(StateType.PENDING)
Running = _make(StateType.RUNNING)
Retrying = _make(StateType.RUNNING, "Retrying")
Completed = _make(StateType.COMPLETED)
Cached = _make(StateType.COMPLETED, "Cached")
Failed = _make(StateType.FAILED)
TimedOut = _make(StateType.FAILED, "TimedOut")
Crashed = _make(StateType.CRASHED)
Cancelling = _make(StateType.CANCELLING)
Cancelled = _make(StateType.CANCELLED)
Paused = _make(StateType.PAUSED)
Suspended = _make(StateType.PAUSED, "Suspended")


def exception_to_crashed_state(exc: BaseException) -> State:
    """The Crashed state for a run stopped by something outside its code: Ctrl-C,
    `sys.exit()`, a cancelled event loop. Messages as Prefect's
    (prefect/states.py `exception_to_crashed_state`)."""
    import asyncio

    if isinstance(exc, KeyboardInterrupt):
        message = "Execution was aborted by an interrupt signal."
    elif isinstance(exc, SystemExit):
        message = "Execution was aborted by Python system exit call."
    elif isinstance(exc, asyncio.CancelledError):
        message = "Execution was cancelled by the runtime environment."
    else:
        message = (
            f"Execution was interrupted by an unexpected exception: {type(exc).__name__}: {exc}"
        )
    return Crashed(message=message, data=exc)
