"""The exceptions headwater raises.

HeadwaterException
├── InvalidNameError            a flow/task name with a banned character
├── ReservedArgumentError       a function declares `return_state` / `wait_for`
├── ParameterTypeError          parameters failed validation
├── MissingContextError         a run-only API called outside a run
├── UpstreamTaskError           an upstream task run did not complete
├── MappingLengthMismatch / MappingMissingIterable
├── TaskRunTimeoutError         (also a TimeoutError) a task run hit its deadline
├── FlowRunTimeoutError         (also a TimeoutError) a flow run hit its deadline
├── CrashedRun                  a run ended without reporting (process died, worker lost)
├── CancelledRun
├── UnfinishedRun               `.result()` of a state that is not final
└── RunStoreError               HEADWATER_HOME unusable
"""

from __future__ import annotations


class HeadwaterException(Exception):
    """Base class for headwater's errors."""


class InvalidNameError(HeadwaterException, ValueError):
    pass


class ReservedArgumentError(HeadwaterException, TypeError):
    pass


class ParameterTypeError(HeadwaterException, TypeError):
    pass


class MissingContextError(HeadwaterException, RuntimeError):
    pass


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
    pass


class CancelledRun(HeadwaterException):
    pass


class UnfinishedRun(HeadwaterException):
    pass


class RunStoreError(HeadwaterException, OSError):
    """HEADWATER_HOME (or the database in it) cannot be used."""


# Prefect's names for the same things, so ported `except` clauses keep working.
PrefectException = HeadwaterException
ParameterBindError = ParameterTypeError
