"""Automations: a trigger plus actions, evaluated against the events recorded in the home.

`headwater.automations.Automation` is Prefect's `prefect.automations.Automation`.
With no server, any process that records runs evaluates automations on a
background thread (`runtime`); `headwater automation serve` does it alone.
"""

from __future__ import annotations

from headwater.automations.model import Automation, AutomationError

__all__ = ["Automation", "AutomationError"]
