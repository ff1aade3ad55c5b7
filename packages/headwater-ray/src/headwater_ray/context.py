"""`remote_options(...)`: Ray resources and options for the tasks submitted inside it.

    with remote_options(num_cpus=2, num_gpus=1):
        train.submit(data)

Nested blocks merge, the inner one winning (Prefect's `prefect_ray.context`).
The options go to `ray.remote(...).options(...)` for each submission.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_options: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "headwater_ray_remote_options", default=None
)


@contextmanager
def remote_options(**new_remote_options: Any) -> Iterator[dict[str, Any]]:
    """Apply Ray options (`num_cpus`, `num_gpus`, `memory`, `resources`, ...) to submissions."""
    merged = {**(_options.get() or {}), **new_remote_options}
    token = _options.set(merged)
    try:
        yield merged
    finally:
        _options.reset(token)


def current_remote_options() -> dict[str, Any]:
    """The options in effect here (empty outside any `remote_options` block)."""
    return _options.get() or {}


class RemoteOptionsContext:
    """Prefect's class-style accessor: `RemoteOptionsContext.get().current_remote_options`."""

    def __init__(self, current_remote_options: dict[str, Any]) -> None:
        self.current_remote_options = current_remote_options

    @classmethod
    def get(cls) -> RemoteOptionsContext:
        return cls(dict(_options.get() or {}))
