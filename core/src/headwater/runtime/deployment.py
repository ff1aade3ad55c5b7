"""The current deployment. headwater has no deployments yet;
until then every value is None (or empty), as Prefect's are for runs started by hand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from headwater.runtime._values import lookup

_GETTERS: dict[str, Callable[[], Any]] = {
    "id": lambda: None,
    "name": lambda: None,
    "version": lambda: None,
    "parameters": dict,
    "flow_run_id": lambda: None,
}


def __dir__() -> list[str]:
    return sorted(_GETTERS)


def __getattr__(name: str) -> Any:
    return lookup("deployment", name, _GETTERS)
