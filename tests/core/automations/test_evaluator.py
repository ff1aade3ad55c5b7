"""Evaluating triggers against recorded events, driven by hand (`Evaluator.run_once`)."""

from __future__ import annotations

import time
from datetime import timedelta

from headwater.automations import Automation
from headwater.automations.evaluator import Evaluator
from headwater.automations.storage import get_storage
from headwater.events import emit_event
from headwater.events.actions import DoNothing
from headwater.events.schemas.automations import (
    CompoundTrigger,
    EventTrigger,
    Posture,
    SequenceTrigger,
)
from headwater.history import get_store


def _stop_background() -> None:
    """These tests drive the evaluator themselves."""
    from headwater.automations.runtime import evaluator_for

    background = evaluator_for(get_store())
    if background is not None:
        background.stop(final_pass=False)


def fired_by_name(now: float | None = None) -> dict[str, int]:
    """Flush the store, run one pass, return how many actions each automation queued."""
    get_store().flush()
    queued = Evaluator(get_storage(), run_actions=lambda batch: None).run_once(now)
    counts: dict[str, int] = {}
    for q in queued:
        counts[q.automation.model.name] = counts.get(q.automation.model.name, 0) + 1
    return counts


def fired(automation: Automation, now: float | None = None) -> int:
    return fired_by_name(now).get(automation.name, 0)


def make(trigger: object, **kw: object) -> Automation:
    _stop_background()
    return Automation(
        name=kw.pop("name", "a"), trigger=trigger, actions=[DoNothing()], **kw
    ).create()  # type: ignore[arg-type]


def emit(name: str, rid: str = "thing.1", **labels: str) -> None:
    emit_event(name, resource={"prefect.resource.id": rid, **labels})


def test_reactive_fires_once_per_matching_event():
    a = make(EventTrigger(expect={"data.loaded"}))
    emit("data.loaded")
    emit("data.other")
    emit("data.loaded")
    assert fired(a) == 2
    assert fired(a) == 0  # the cursor moved: nothing fires twice


def test_prefect_names_match_headwater_events():
    a = make(
        EventTrigger(
            expect={"prefect.flow-run.Failed"},
            match={"prefect.resource.id": "prefect.flow-run.*"},
        )
    )
    emit_event(
        "headwater.flow-run.Failed", resource={"headwater.resource.id": "headwater.flow-run.x"}
    )
    emit_event(
        "headwater.flow-run.Completed", resource={"headwater.resource.id": "headwater.flow-run.y"}
    )
    assert fired(a) == 1


def test_wildcards_match_and_match_related_and_negation():
    a = make(
        EventTrigger(
            expect={"etl.*"},
            match={"prefect.resource.id": ["db.*", "warehouse.*"], "env": "!test"},
            match_related={"prefect.resource.role": "owner", "prefect.resource.id": "team.data"},
        )
    )
    owner = [{"prefect.resource.id": "team.data", "prefect.resource.role": "owner"}]

    def etl(event: str, rid: str, env: str, related: list | None = owner) -> None:
        emit_event(event, resource={"prefect.resource.id": rid, "env": env}, related=related)

    etl("etl.done", "db.prod", "prod")
    etl("etl.done", "warehouse.1", "prod")
    etl("etl.done", "db.x", "test")  # env excluded
    etl("etl.done", "lake.1", "prod")  # resource id not listed
    etl("etl.done", "db.prod", "prod", related=None)  # no related owner
    etl("other.done", "db.prod", "prod")  # event name
    assert fired(a) == 2


def test_events_before_the_automation_existed_are_ignored():
    emit("data.loaded")
    get_store().flush()
    time.sleep(0.01)
    a = make(EventTrigger(expect={"data.loaded"}))
    assert fired(a) == 0


def test_threshold_within_window_and_for_each():
    a = make(
        EventTrigger(
            expect={"disk.full"},
            threshold=3,
            within=timedelta(minutes=5),
            for_each={"prefect.resource.id"},
        )
    )
    for _ in range(2):
        emit("disk.full", rid="host.a")
        emit("disk.full", rid="host.b")
    assert fired(a) == 0
    emit("disk.full", rid="host.a")
    assert fired(a) == 1  # host.a reached 3; host.b has 2
    emit("disk.full", rid="host.a")
    assert fired(a) == 0  # host.a's window already fired


def test_threshold_without_window_counts_until_reached():
    a = make(EventTrigger(expect={"ping"}, threshold=2))
    emit("ping")
    assert fired(a) == 0
    emit("ping")
    assert fired(a) == 1


def test_after_then_expect():
    a = make(
        EventTrigger(after={"job.started"}, expect={"job.finished"}, within=timedelta(minutes=1))
    )
    emit("job.finished")  # no `after` yet: ignored
    assert fired(a) == 0
    emit("job.started")
    emit("job.finished")
    assert fired(a) == 1


def test_proactive_fires_when_expected_event_is_missing():
    a = make(
        EventTrigger(
            expect={"data.loaded"}, posture=Posture.Proactive, within=timedelta(seconds=30)
        )
    )
    start = time.time()
    assert fired(a, now=start) == 0  # opens the first window
    assert fired(a, now=start + 31) == 1  # nothing arrived in it
    emit_event("data.loaded", resource={"prefect.resource.id": "x"}, occurred=start + 35)
    assert fired(a, now=start + 40) == 0
    assert fired(a, now=start + 62) == 0  # the event arrived in the second window


def test_proactive_after_starts_the_window():
    a = make(
        EventTrigger(
            after={"job.started"},
            expect={"job.finished"},
            posture="Proactive",
            within=timedelta(seconds=10),
            for_each={"prefect.resource.id"},
        )
    )
    emit("job.started", rid="job.1")
    emit("job.started", rid="job.2")
    emit("job.finished", rid="job.2")
    now = time.time()
    assert fired(a, now=now) == 0
    assert fired(a, now=now + 11) == 1  # job.1 never finished


def test_compound_all_and_sequence_order():
    make(
        CompoundTrigger(
            require="all",
            triggers=[EventTrigger(expect={"a.done"}), EventTrigger(expect={"b.done"})],
            within=timedelta(minutes=1),
        ),
        name="both",
    )
    make(
        SequenceTrigger(
            triggers=[EventTrigger(expect={"a.done"}), EventTrigger(expect={"b.done"})]
        ),
        name="seq",
    )
    emit("b.done")
    emit("a.done")
    assert fired_by_name() == {"both": 1}  # the sequence saw b before a
    emit("b.done")
    assert fired_by_name() == {"seq": 1}


def test_compound_any():
    a = make(
        CompoundTrigger(
            require="any", triggers=[EventTrigger(expect={"x"}), EventTrigger(expect={"y"})]
        )
    )
    emit("y")
    assert fired(a) == 1


def test_disabled_automation_does_not_fire_and_enable_resumes():
    a = make(EventTrigger(expect={"ping"}))
    assert a.disable()
    emit("ping")
    assert fired(a) == 0
    assert a.enable()
    emit("ping")
    assert fired(a) == 1


def test_two_evaluators_sharing_a_home_fire_once_per_event():
    import threading

    a = make(EventTrigger(expect={"ping"}))
    for _ in range(50):
        emit("ping")
    get_store().flush()
    results: list[int] = []

    def run() -> None:
        from headwater.automations.storage import AutomationStorage

        storage = AutomationStorage(get_storage().path)  # its own connection, as another process
        queued = Evaluator(storage, run_actions=lambda batch: None).run_once()
        results.append(len(queued))
        storage.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(results) == 50
    assert fired(a) == 0
