"""`Automation`: Prefect's `prefect.automations.Automation`, saved in the home's database.

    Automation(
        name="tell ops",
        trigger=EventTrigger(expect={"headwater.flow-run.Failed"}),
        actions=[SendNotification(block_name="custom-webhook/ops", body="{{ flow_run.name }}")],
    ).create()

`create()` checks what would otherwise fail only when the trigger fires: every
action can run in headwater, and every notification block it names is saved.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import Field
from typing_extensions import Self

from headwater.automations.storage import definitions
from headwater.events.actions import NOT_YET_SUPPORTED, SendNotification
from headwater.events.schemas.automations import AutomationCore

__all__ = ["Automation", "AutomationError"]


class AutomationError(ValueError):
    """An automation cannot be saved or found; the message says which and the fix."""


class Automation(AutomationCore):
    id: uuid.UUID | None = Field(default=None, description="The ID of this automation")

    def _spec(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude={"id"})

    def check(self) -> None:
        """Refuse actions headwater cannot run yet, and blocks that are not saved."""
        for where, actions in (
            ("actions", self.actions),
            ("actions_on_trigger", self.actions_on_trigger),
            ("actions_on_resolve", self.actions_on_resolve),
        ):
            for index, action in enumerate(actions):
                reason = NOT_YET_SUPPORTED.get(action.type)
                if reason:
                    raise AutomationError(
                        f"automation {self.name!r}: {where}[{index}] is {action.type!r}, "
                        f"which is not yet supported: {reason}"
                    )
                if isinstance(action, SendNotification):
                    _check_block(self.name, f"{where}[{index}]", action)

    def create(self) -> Self:
        """Save as a new automation; sets and returns `self` with its `id`."""
        self.check()
        self.id = uuid.UUID(definitions().create(self.name, self.enabled, self._spec()))
        return self

    async def acreate(self) -> Self:
        return self.create()

    def update(self) -> None:
        """Save changes to an automation read or created before."""
        if self.id is None:
            raise AutomationError(
                f"automation {self.name!r} has no id: create() it, or read() it first"
            )
        self.check()
        if not definitions().update(str(self.id), self.name, self.enabled, self._spec()):
            raise AutomationError(f"no automation with id {self.id} (it may have been deleted)")

    async def aupdate(self) -> None:
        self.update()

    @classmethod
    def read(cls, id: uuid.UUID | str | None = None, name: str | None = None) -> Self:
        """An automation by `id` or by `name` (the oldest of that name)."""
        if id and name:
            raise ValueError("Only one of id or name can be provided")
        if not id and not name:
            raise ValueError("One of id or name must be provided")
        storage = definitions()
        if id:
            row = storage.read(str(id))
            if row is None:
                raise ValueError(f"Automation with ID {str(id)!r} not found")
        else:
            rows = storage.read_by_name(str(name))
            if not rows:
                raise ValueError(f"Automation with name {name!r} not found")
            row = rows[0]
        return cls.from_row(row)

    @classmethod
    async def aread(cls, id: uuid.UUID | str | None = None, name: str | None = None) -> Self:
        return cls.read(id=id, name=name)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Self:
        spec = {**row["spec"], "enabled": row["enabled"], "name": row["name"]}
        return cls.model_validate({**spec, "id": row["id"]})

    def delete(self) -> bool:
        """Delete it; False if it was not saved (or already deleted)."""
        return self.id is not None and definitions().delete(str(self.id))

    async def adelete(self) -> bool:
        return self.delete()

    def disable(self) -> bool:
        return self._set_enabled(False)

    async def adisable(self) -> bool:
        return self.disable()

    def enable(self) -> bool:
        return self._set_enabled(True)

    async def aenable(self) -> bool:
        return self.enable()

    def _set_enabled(self, enabled: bool) -> bool:
        if self.id is None or not definitions().set_enabled(str(self.id), enabled):
            return False
        self.enabled = enabled
        return True


def _check_block(automation: str, where: str, action: SendNotification) -> None:
    from headwater.automations.execution import ActionFailed, load_notification_block
    from headwater.blocks.abstract import NotificationBlock
    from headwater.blocks.errors import BlockNotFoundError

    what = action.block_name or f"block_document_id {action.block_document_id}"
    try:
        block = load_notification_block(action.block_document_id, action.block_name)
    except (ActionFailed, BlockNotFoundError, ValueError) as exc:
        raise AutomationError(
            f"automation {automation!r}: {where} sends a notification through {what}, "
            f"which cannot be used: {exc}"
        ) from None
    if not isinstance(block, NotificationBlock):
        raise AutomationError(
            f"automation {automation!r}: {where} names {what}, a {type(block).__name__}; "
            "send-notification needs a NotificationBlock (e.g. custom-webhook, slack-webhook)"
        )
