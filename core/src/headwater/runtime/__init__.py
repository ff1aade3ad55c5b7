"""Facts about the current run, as module attributes: `headwater.runtime.flow_run.name`.

Prefect's `prefect.runtime`: each attribute is read from the current run
context when accessed, so it is None (or empty) outside a run. An environment
variable `HEADWATER__RUNTIME__FLOW_RUN__NAME` (and so on) overrides a value,
which makes code that reads them easy to test.
"""

from __future__ import annotations

from headwater.runtime import deployment, flow_run, task_run

__all__ = ["deployment", "flow_run", "task_run"]
