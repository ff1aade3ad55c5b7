"""Events: named, timestamped facts about resources, recorded with the run history.

`emit_event("data.loaded", resource={"headwater.resource.id": "warehouse"})`
records an event in the run store (and returns it). Resource labels keep
Prefect's `prefect.resource.*` spelling too, so ported code runs unchanged.
Automations that react to events are not built yet.
"""

from __future__ import annotations

from headwater.events.emit import emit_event
from headwater.store.records import Event

__all__ = ["Event", "emit_event"]
