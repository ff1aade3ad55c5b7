"""Automations: a trigger plus actions, evaluated against the events recorded in the home.

`headwater.automations.Automation` is Prefect's `prefect.automations.Automation`.
With no server, any process that records runs evaluates automations on a
background thread (`runtime`); `headwater automation serve` does it alone.
The model (pydantic, about 15 MB of memory) is imported on first use of its
names: every process that opens the run store imports `runtime` from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from headwater.automations.model import Automation, AutomationError

__all__ = ["Automation", "AutomationError"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from headwater.automations import model

        return getattr(model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
