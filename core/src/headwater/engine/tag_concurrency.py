"""A task run's tag limits: wait for a slot on each limited tag before the first
attempt, hold it until the run finishes (Prefect 3's tag-based concurrency).

While it waits the run is Pending with a message saying on which tags; the wait
is a `Step.SLEEP` of the lifecycle, so sync and async runs wait alike and an
interrupt (Ctrl-C, cancellation) leaves the line. A tag whose limit is 0 could
never run: the run fails at once with Prefect's message.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from headwater.engine.steps import Step
from headwater.states import Failed, Pending, State

if TYPE_CHECKING:
    from headwater.concurrency.tags import TagSlots
    from headwater.engine.task_call import TaskCall


class HeldTagSlots:
    """What `hold_tag_slots` gives back: the slots to release, or the refusal state."""

    __slots__ = ("refusal", "slots")

    def __init__(self, slots: TagSlots | None, refusal: State | None = None) -> None:
        self.slots = slots
        self.refusal = refusal

    def release(self) -> None:
        if self.slots is not None:
            self.slots.release()


def hold_tag_slots(call: TaskCall) -> Generator[tuple[Any, ...], Any, HeldTagSlots | None]:
    """Take one slot on each limited tag of the run (None: no tag is limited)."""
    from headwater.concurrency.errors import ConcurrencySlotAcquisitionError
    from headwater.concurrency.tags import TagSlots, limited_tags

    names = limited_tags(call.task_run.tags)
    if not names:
        return None
    slots = TagSlots(names, str(call.task_run.id))
    waiting = False
    try:
        while True:
            try:
                delay = slots.try_take()
            except ConcurrencySlotAcquisitionError as exc:
                call.logger.error(str(exc))
                return HeldTagSlots(None, Failed(message=str(exc), data=exc))
            if delay is None:
                return HeldTagSlots(slots)
            if not waiting:
                waiting = True
                tags = ", ".join(repr(t) for t in slots.tags)
                message = f"Waiting for a concurrency slot on tag(s) {tags}"
                call.logger.info(message)
                call._record_state(Pending(message=message))
            yield (Step.SLEEP, delay)
    except BaseException:
        slots.give_up()
        slots.release()
        raise
