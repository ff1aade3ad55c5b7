"""Events: named, timestamped facts about resources, recorded with the run history.

`emit_event("data.loaded", resource={"prefect.resource.id": "warehouse"})`
records an event in the run store and returns it as Prefect's `Event` (`.id` a
UUID, `.occurred` an aware datetime, `.resource["prefect.resource.id"]`).
Labels may be spelled `prefect.resource.*` or `headwater.resource.*`.
Automations that react to events are not built yet.
"""

from __future__ import annotations

from headwater.events.emit import emit_event
from headwater.events.schemas.events import Event, RelatedResource, Resource

__all__ = ["Event", "RelatedResource", "Resource", "emit_event"]
