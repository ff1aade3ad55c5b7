"""The exceptions headwater raises.

HeadwaterException
├── InvalidNameError            a flow/task name with a banned character
├── ReservedArgumentError       a function declares `return_state` / `wait_for`
├── ParameterTypeError          parameters failed validation
├── ParameterBindError          (also a TypeError) call arguments do not fit the signature
├── SignatureMismatchError      (also a TypeError) parameters do not match a function's
├── MissingContextError         a run-only API called outside a run
├── ConfigurationError          options that cannot work together (e.g. SERIALIZABLE, no locks)
├── UpstreamTaskError           an upstream task run did not complete
├── MappingLengthMismatch / MappingMissingIterable
├── TaskRunTimeoutError         (also a TimeoutError) a task run hit its deadline
├── FlowRunTimeoutError         (also a TimeoutError) a flow run hit its deadline
├── CrashedRun                  `.result()` of a crashed run with no exception attached
├── FailedRun                   `.result()` of a failed run with no exception attached
├── CancelledRun                `.result()` of a cancelled run with no exception attached
├── PausedRun                   `.result()` of a paused run
├── UnfinishedRun               `.result()` of a state that is not final
├── MissingResult               a run's result is not available (not kept, or gone)
└── RunStoreError               HEADWATER_HOME unusable
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from headwater.states import State


class HeadwaterException(Exception):
    """Base class for headwater's errors."""


class InvalidNameError(HeadwaterException, ValueError):
    pass


class ReservedArgumentError(HeadwaterException, TypeError):
    pass


class ParameterTypeError(HeadwaterException, TypeError):
    """Parameters did not pass validation against the function's type hints."""


class ParameterBindError(HeadwaterException, TypeError):
    """Call arguments cannot be bound to the function's parameters."""


class SignatureMismatchError(HeadwaterException, TypeError):
    """Parameters passed to a function do not match its signature."""

    @classmethod
    def from_bad_params(
        cls, expected_params: list[str], provided_params: list[str]
    ) -> SignatureMismatchError:
        return cls(
            f"Function expects parameters {expected_params} but was provided with"
            f" parameters {provided_params}"
        )


class MissingContextError(HeadwaterException, RuntimeError):
    pass


class ConfigurationError(HeadwaterException):
    """Options that cannot work together, e.g. SERIALIZABLE isolation with no lock manager."""


class UpstreamTaskError(HeadwaterException):
    pass


class MappingLengthMismatch(HeadwaterException, ValueError):
    pass


class MappingMissingIterable(HeadwaterException, ValueError):
    pass


class TaskRunTimeoutError(HeadwaterException, TimeoutError):
    pass


class FlowRunTimeoutError(HeadwaterException, TimeoutError):
    pass


class CrashedRun(HeadwaterException):
    """Raised by `.result()` of a crashed run whose state holds no exception."""


class FailedRun(HeadwaterException):
    """Raised by `.result()` of a failed run whose state holds no exception (for example
    a task or flow that returned `Failed(message=...)`)."""


class CancelledRun(HeadwaterException):
    """Raised by `.result()` of a cancelled run whose state holds no exception."""


class PausedRun(HeadwaterException):
    """Raised by `.result()` of a paused run; `state` is that run's state."""

    def __init__(self, *args: Any, state: State | None = None) -> None:
        super().__init__(*args)
        self.state = state


class UnfinishedRun(HeadwaterException):
    """Raised by `.result()` of a run that has not finished."""


class MissingResult(HeadwaterException):
    """A run's result is not available: it was not kept, or its stored copy is gone."""


class RunStoreError(HeadwaterException, OSError):
    """HEADWATER_HOME (or the database in it) cannot be used."""


# Prefect's names for the same things, so ported `except` clauses keep working.
PrefectException = HeadwaterException
