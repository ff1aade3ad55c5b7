"""Prefect's `prefect.events.schemas` path: the shapes of events and their resources."""

from headwater.events.schemas.events import Event, RelatedResource, Resource

__all__ = ["Event", "RelatedResource", "Resource"]
