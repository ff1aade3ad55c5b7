"""Event, Resource and RelatedResource with Prefect's shape.

A resource is a set of string labels; its id is `prefect.resource.id` (or
headwater's spelling, `headwater.resource.id`). Reading a `prefect.*` label
finds the `headwater.*` one too, and the other way round (`names`), so code
written for either spelling reads events made with either.

Plain classes rather than pydantic models: `emit_event` is called inside tasks
and must stay cheap. `model_dump()` is there for code that serialises events.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from headwater.events.names import other_spelling
from headwater.history.ids import new_run_id

__all__ = ["Event", "RelatedResource", "Resource"]

_R = TypeVar("_R", bound="Resource")
MAX_LABELS = 500
MAX_EVENT_NAME = 1024


class Resource(Mapping[str, str]):
    """A resource's labels: `resource["prefect.resource.name"]`, `.get`, `.id`, `.name`."""

    __slots__ = ("_labels",)
    kind = "resource"

    def __init__(self, labels: Mapping[str, str] | None = None, **more: str) -> None:
        if type(labels) is dict and not more:  # the usual case, kept cheap
            merged = labels.copy()
        else:
            if labels is not None and not isinstance(labels, Mapping):
                raise TypeError(
                    f"a {self.kind} must be a dict of string labels, got "
                    f"{type(labels).__name__}: {labels!r}; e.g. {{'prefect.resource.id': 'my.thing'}}"
                )
            merged = {**(labels or {}), **more}
        _check_labels(merged, self.kind)
        self._labels: dict[str, str] = merged
        if not _either(merged, "prefect.resource.id", "headwater.resource.id"):
            raise ValueError(
                f"a {self.kind} needs a non-empty 'prefect.resource.id' (or "
                f"'headwater.resource.id') label; got labels {sorted(merged)}"
            )

    @classmethod
    def trusted(cls: type[_R], labels: dict[str, str]) -> _R:
        """Labels headwater built itself (known valid): no checks, no copy."""
        made = cls.__new__(cls)
        made._labels = labels
        return made

    def __getitem__(self, label: str) -> str:
        try:
            return self._labels[label]
        except KeyError:
            other = other_spelling(label)
            if other is not None and other in self._labels:
                return self._labels[other]
            raise

    def __iter__(self) -> Iterator[str]:
        return iter(self._labels)

    def __len__(self) -> int:
        return len(self._labels)

    @property
    def id(self) -> str:
        return self.get("prefect.resource.id") or ""

    @property
    def name(self) -> str | None:
        return self.get("prefect.resource.name")

    @property
    def root(self) -> dict[str, str]:
        """The labels as given (Prefect's RootModel attribute)."""
        return dict(self._labels)

    def model_dump(self, **_: Any) -> dict[str, str]:
        return dict(self._labels)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Resource):
            return type(self) is type(other) and self._labels == other._labels
        return isinstance(other, Mapping) and self._labels == dict(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._labels!r})"


class RelatedResource(Resource):
    """A resource that took part in an event, in a `role` ("flow-run", "task-run", ...)."""

    __slots__ = ()
    kind = "related resource"

    def __init__(self, labels: Mapping[str, str] | None = None, **more: str) -> None:
        super().__init__(labels, **more)
        if not _either(self._labels, "prefect.resource.role", "headwater.resource.role"):
            raise ValueError(
                f"a related resource needs a 'prefect.resource.role' (or "
                f"'headwater.resource.role') label, e.g. 'flow-run'; got labels {sorted(self)}"
            )

    @property
    def role(self) -> str:
        return self.get("prefect.resource.role") or ""


def _either(labels: dict[str, str], label: str, other: str) -> str:
    """`labels[label]`, else its other spelling's value, else "" (as `Resource.get`)."""
    value = labels.get(label)
    return labels.get(other, "") if value is None else value


def _check_labels(labels: Mapping[Any, Any], kind: str) -> None:
    if len(labels) > MAX_LABELS:
        raise ValueError(f"a {kind} has {len(labels)} labels; at most {MAX_LABELS} are allowed")
    for key, value in labels.items():
        if (type(key) is not str or type(value) is not str) and (
            not isinstance(key, str) or not isinstance(value, str)
        ):
            raise TypeError(
                f"{kind} label {key!r}: {value!r} is not text; labels are strings, "
                f"e.g. str({value!r})"
            )


def check_event_name(event: Any) -> str:
    """The event name, or a ValueError/TypeError that says what a good one looks like."""
    example = "e.g. 'data.loaded' or 'pipeline.completed'"
    if not isinstance(event, str):
        raise TypeError(f"an event name must be a string, got {event!r}; {example}")
    if not event.strip():
        raise ValueError(f"emit_event needs an event name, got {event!r}; {example}")
    if event != event.strip() or not event.isprintable():
        raise ValueError(
            f"event name {event!r} has surrounding spaces or control characters; {example}"
        )
    if len(event) > MAX_EVENT_NAME:
        raise ValueError(
            f"event name {event[:40]!r}... is {len(event)} characters; at most "
            f"{MAX_EVENT_NAME} are allowed"
        )
    return event


class Event:
    """Something that happened to a resource, as Prefect's `Event`."""

    __slots__ = ("_id", "_occurred", "event", "follows", "payload", "related", "resource")

    def __init__(
        self,
        event: str,
        resource: Resource | Mapping[str, str],
        occurred: datetime.datetime | None = None,
        related: list[RelatedResource] | list[Mapping[str, str]] | None = None,
        payload: dict[str, Any] | None = None,
        id: uuid.UUID | str | None = None,
        follows: uuid.UUID | str | None = None,
    ) -> None:
        self.event = check_event_name(event)
        self.resource = resource if isinstance(resource, Resource) else Resource(resource)
        self.related = [
            r if isinstance(r, RelatedResource) else RelatedResource(r) for r in related or ()
        ]
        self._occurred: datetime.datetime | float = _aware(occurred)
        self.payload = dict(payload or {})
        #: a UUID, or the text of a time-ordered one made here (parsed when first read)
        self._id: uuid.UUID | str = _uuid(id, "id") if id is not None else new_run_id()
        self.follows = _uuid(follows, "follows") if follows is not None else None

    @classmethod
    def _from_checked(
        cls,
        event: str,
        resource: Resource,
        related: list[RelatedResource],
        occurred: datetime.datetime | float,
        payload: dict[str, Any],
        id: uuid.UUID | str,
        follows: uuid.UUID | None,
    ) -> Event:
        """An event from parts `emit_event` has already checked; nothing is copied.

        `occurred` may be a POSIX timestamp, turned into a datetime when first read,
        so an event nobody looks at never builds one.
        """
        made = cls.__new__(cls)
        made.event = event
        made.resource = resource
        made.related = related
        made._occurred = occurred
        made.payload = payload
        made._id = id
        made.follows = follows
        return made

    @property
    def occurred(self) -> datetime.datetime:
        value = self._occurred
        if not isinstance(value, datetime.datetime):
            value = self._occurred = datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
        return value

    @occurred.setter
    def occurred(self, value: datetime.datetime | float) -> None:
        self._occurred = _aware(value)

    @property
    def id(self) -> uuid.UUID:
        value = self._id
        if isinstance(value, str):
            value = self._id = uuid.UUID(value)
        return value

    @id.setter
    def id(self, value: uuid.UUID | str) -> None:
        self._id = _uuid(value, "id")

    @property
    def id_text(self) -> str:
        """The id as text, without making a UUID object (what the store records)."""
        return self._id if isinstance(self._id, str) else str(self._id)

    @property
    def involved_resources(self) -> list[Resource]:
        return [self.resource, *self.related]

    @property
    def resource_in_role(self) -> dict[str, RelatedResource]:
        return {r.role: r for r in self.related}

    def model_dump(self, mode: str = "python", **_: Any) -> dict[str, Any]:
        as_json = mode == "json"
        return {
            "id": str(self.id) if as_json else self.id,
            "event": self.event,
            "occurred": self.occurred.isoformat() if as_json else self.occurred,
            "resource": self.resource.model_dump(),
            "related": [r.model_dump() for r in self.related],
            "payload": dict(self.payload),
            "follows": (str(self.follows) if as_json else self.follows) if self.follows else None,
        }

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Event) and self.model_dump() == other.model_dump()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"Event(event={self.event!r}, resource={self.resource.id!r}, "
            f"occurred={self.occurred.isoformat()!r}, id={str(self.id)!r})"
        )


def _aware(occurred: Any) -> datetime.datetime:
    if occurred is None:
        return datetime.datetime.now(datetime.timezone.utc)
    if isinstance(occurred, datetime.datetime):
        if occurred.tzinfo is None:
            return occurred.astimezone(datetime.timezone.utc)  # naive means local time
        return occurred
    if isinstance(occurred, (int, float)) and not isinstance(occurred, bool):
        return datetime.datetime.fromtimestamp(occurred, datetime.timezone.utc)
    raise TypeError(
        f"occurred must be a datetime (or a POSIX timestamp), got {occurred!r}; "
        f"e.g. datetime.now(timezone.utc)"
    )


def _uuid(value: Any, what: str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValueError(
            f"event {what} must be a UUID, got {value!r}; leave it out to get a new one"
        ) from None
