"""The steps a run's lifecycle asks its driver to perform.

A lifecycle (task or flow) is a generator: it yields `(Step.X, ...)` and the
sync or async driver performs that step its own way (call the body in this
thread or await it; `time.sleep` or `asyncio.sleep`), then sends back the
result. Writing the lifecycle once keeps sync and async runs identical.
"""

from __future__ import annotations

import enum


class Step(enum.Enum):
    #: call the body: `(Step.CALL, args, kwargs)`; the driver sends back `(ok, value)`
    CALL = "call"
    #: wait before a retry: `(Step.SLEEP, seconds)`
    SLEEP = "sleep"
    #: run hooks: `(Step.HOOK, hooks, state)`
    HOOK = "hook"
