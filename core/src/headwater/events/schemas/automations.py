"""Triggers and automations: Prefect's `prefect.events.schemas.automations`.

An automation is a trigger plus actions. An `EventTrigger` counts events whose
name matches `expect` (after one matching `after`, if given) about resources
matching `match` / `match_related`, and fires when `threshold` of them arrive
`within` a window (Reactive) or when they do not (Proactive). `CompoundTrigger`
and `SequenceTrigger` combine triggers.

Patterns and labels written with Prefect's names match headwater's events:
`prefect.flow-run.Failed` matches `headwater.flow-run.Failed`, and a
`prefect.resource.id` label finds `headwater.resource.id`. Unlike Prefect,
unknown fields are refused (a typo in YAML must not silently match everything).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping
from datetime import timedelta
from enum import Enum
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    RootModel,
    Tag,
    field_validator,
    model_validator,
)

from headwater.events.actions import ActionTypes
from headwater.events.names import canonical, matches

__all__ = [
    "AutomationCore",
    "CompositeTrigger",
    "CompoundTrigger",
    "EventTrigger",
    "Posture",
    "ResourceSpecification",
    "ResourceTrigger",
    "SequenceTrigger",
    "Trigger",
    "TriggerTypes",
]

MIN_PROACTIVE_WITHIN = timedelta(seconds=10)


def label_matches(expected: str, value: str | None) -> bool:
    """Prefect's label match: `!` negates, a trailing `*` matches any suffix."""
    if value is None:
        return False
    positive = not expected.startswith("!")
    pattern = canonical(expected if positive else expected[1:])
    value = canonical(value)
    hit = value.startswith(pattern[:-1]) if pattern.endswith("*") else value == pattern
    return hit if positive else not hit


def name_matches(pattern: str, name: str) -> bool:
    """An event name against an `expect` / `after` pattern (`*` wildcards)."""
    return matches(pattern, name)


class Posture(str, Enum):
    Reactive = "Reactive"
    Proactive = "Proactive"
    Metric = "Metric"


class ResourceSpecification(RootModel[dict[str, Union[str, list[str]]]]):
    """Labels a resource must have; each value may be a list (any of), `x*` or `!x`."""

    def items(self) -> list[tuple[str, list[str]]]:
        return [(k, [v] if isinstance(v, str) else list(v)) for k, v in self.root.items()]

    def matches_every_resource(self) -> bool:
        return not self.root

    def matches(self, resource: Mapping[str, str]) -> bool:
        return all(
            any(label_matches(e, resource.get(label)) for e in expected)
            for label, expected in self.items()
        )

    def includes(self, candidates: Iterable[Mapping[str, str]]) -> bool:
        return self.matches_every_resource() or any(self.matches(c) for c in candidates)


class Trigger(BaseModel):
    """The criteria an automation waits for."""

    model_config = ConfigDict(extra="forbid")
    type: str

    def describe_for_cli(self, indent: int = 0) -> str:
        raise NotImplementedError


class ResourceTrigger(Trigger):
    match: ResourceSpecification = Field(default_factory=lambda: ResourceSpecification({}))
    match_related: Union[ResourceSpecification, list[ResourceSpecification]] = Field(
        default_factory=lambda: ResourceSpecification({})
    )

    def covers_resources(self, resource: Mapping[str, str], related: list[Any]) -> bool:
        if not self.match.includes([resource]):
            return False
        specs = self.match_related if isinstance(self.match_related, list) else [self.match_related]
        return all(spec.includes(related) for spec in specs)


class EventTrigger(ResourceTrigger):
    """Fires on the presence (Reactive) or absence (Proactive) of matching events."""

    type: Literal["event"] = "event"
    after: set[str] = Field(default_factory=set)
    expect: set[str] = Field(default_factory=set)
    for_each: set[str] = Field(default_factory=set)
    posture: Literal[Posture.Reactive, Posture.Proactive] = Posture.Reactive
    threshold: int = Field(default=1, ge=1)
    within: timedelta = Field(default=timedelta(0), ge=timedelta(0))

    @model_validator(mode="before")
    @classmethod
    def _proactive_window(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        if "within" in data and data["within"] is None:
            raise ValueError("`within` must be a duration, e.g. 30 (seconds) or 'PT30S'")
        if data.get("posture") in (Posture.Proactive, "Proactive"):
            within = data.get("within")
            if isinstance(within, (int, float)):
                within = timedelta(seconds=within)
            if not within:
                data = {**data, "within": MIN_PROACTIVE_WITHIN}
            elif isinstance(within, timedelta) and within < MIN_PROACTIVE_WITHIN:
                raise ValueError(
                    f"`within` for a Proactive trigger must be at least 10 seconds, got {within}"
                )
        return data

    @field_validator("after", "expect")
    @classmethod
    def _patterns(cls, value: set[str]) -> set[str]:
        for pattern in value:
            if not pattern.strip():
                raise ValueError("an event pattern is empty; e.g. 'headwater.flow-run.Failed'")
        return value

    def expects(self, event: str) -> bool:
        return not self.expect or any(name_matches(p, event) for p in self.expect)

    def starts_after(self, event: str) -> bool:
        return bool(self.after) and any(name_matches(p, event) for p in self.after)

    def covers(self, event: Any) -> bool:
        """Does this trigger care about `event` at all (name and resources)?"""
        if not (self.expects(event.event) or self.starts_after(event.event)):
            return False
        return self.covers_resources(event.resource, event.related)

    def bucketing_key(self, event: Any) -> tuple[str, ...]:
        """The `for_each` label values of `event`, in sorted label order."""
        key = []
        for label in sorted(self.for_each):
            if label.startswith("related:"):
                _, role, name = label.split(":", 2)
                found = [r for r in event.related if r.get("prefect.resource.role") == role]
                key.append(found[0].get(name, "") if found else "")
            else:
                key.append(event.resource.get(label, ""))
        return tuple(key)

    def describe_for_cli(self, indent: int = 0) -> str:
        expect = ", ".join(sorted(self.expect)) or "any event"
        if self.posture == Posture.Reactive:
            text = f"Reactive: expecting {self.threshold} of {expect}"
            if self.within:
                text += f" within {self.within}"
        else:
            text = f"Proactive: expecting {self.threshold} {expect} within {self.within}"
        if self.after:
            text += f" after {', '.join(sorted(self.after))}"
        return textwrap.indent(text, "  " * indent)


class CompositeTrigger(Trigger):
    type: Literal["compound", "sequence"]
    triggers: list[TriggerTypes]
    within: timedelta | None = Field(default=None, ge=timedelta(0))

    @field_validator("triggers")
    @classmethod
    def _some(cls, value: list[Any]) -> list[Any]:
        if not value:
            raise ValueError("a compound or sequence trigger needs at least one trigger")
        return value


class CompoundTrigger(CompositeTrigger):
    """Fires when `require` ("any", "all" or a number) of its triggers fired `within`."""

    type: Literal["compound"] = "compound"
    require: Union[int, Literal["any", "all"]]

    @model_validator(mode="after")
    def _require(self) -> CompoundTrigger:
        if isinstance(self.require, int) and not 1 <= self.require <= len(self.triggers):
            raise ValueError(
                f"require must be between 1 and the number of triggers "
                f"({len(self.triggers)}), got {self.require}"
            )
        return self

    @property
    def num_expected_firings(self) -> int:
        if self.require == "any":
            return 1
        if self.require == "all":
            return len(self.triggers)
        return int(self.require)

    def describe_for_cli(self, indent: int = 0) -> str:
        inner = "\n".join(t.describe_for_cli(indent + 1) for t in self.triggers)
        return textwrap.indent(f"{str(self.require).capitalize()} of:", "  " * indent) + (
            "\n" + inner
        )


class SequenceTrigger(CompositeTrigger):
    """Fires when its triggers fired in order (all of them) `within`."""

    type: Literal["sequence"] = "sequence"

    def describe_for_cli(self, indent: int = 0) -> str:
        inner = "\n".join(t.describe_for_cli(indent + 1) for t in self.triggers)
        return textwrap.indent("In this order:", "  " * indent) + "\n" + inner


def _trigger_kind(value: Any) -> str:
    if isinstance(value, dict):
        if "type" in value:
            return str(value["type"])
        if "triggers" in value:
            return "compound" if "require" in value else "sequence"
        return "event"
    return str(getattr(value, "type", "event"))


TriggerTypes = Annotated[
    Union[
        Annotated[EventTrigger, Tag("event")],
        Annotated[CompoundTrigger, Tag("compound")],
        Annotated[SequenceTrigger, Tag("sequence")],
    ],
    Discriminator(_trigger_kind),
]

CompoundTrigger.model_rebuild()
SequenceTrigger.model_rebuild()


class AutomationCore(BaseModel):
    """An automation's definition: a trigger and the actions it runs when it fires."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    name: str = Field(min_length=1)
    description: str = ""
    enabled: bool = True
    tags: list[str] = Field(default_factory=list)
    trigger: TriggerTypes
    actions: list[ActionTypes] = Field(min_length=1)
    actions_on_trigger: list[ActionTypes] = Field(default_factory=list)
    actions_on_resolve: list[ActionTypes] = Field(default_factory=list)
    owner_resource: str | None = None

    def event_triggers(self) -> list[tuple[str, EventTrigger]]:
        """Every EventTrigger inside, with its path ("0", "0.1", ...)."""
        found: list[tuple[str, EventTrigger]] = []

        def walk(trigger: Any, path: str) -> None:
            if isinstance(trigger, EventTrigger):
                found.append((path, trigger))
            else:
                for i, child in enumerate(trigger.triggers):
                    walk(child, f"{path}.{i}")

        walk(self.trigger, "0")
        return found
