"""@materialize records Prefect's asset events, with upstream assets inferred from inputs."""

from __future__ import annotations

import pytest
from headwater import flow, task
from headwater.assets import (
    Asset,
    AssetProperties,
    MaterializingTask,
    add_asset_metadata,
    materialize,
)
from headwater.history import get_store
from headwater.task_runners import ProcessPoolTaskRunner


def _asset_events() -> list[dict]:
    store = get_store()
    store.flush()
    return [e for e in store.read_events(500, oldest_first=True) if ".asset." in e["event"]]


def _by_name(events: list[dict], name: str) -> dict[str, dict]:
    return {e["resource"]["headwater.resource.id"]: e for e in events if e["event"] == name}


def _upstream(event: dict) -> list[str]:
    return sorted(
        r["headwater.resource.id"]
        for r in event["related"]
        if r["headwater.resource.role"] == "asset"
    )


SUCCEEDED = "headwater.asset.materialization.succeeded"


def test_upstream_from_direct_calls_futures_and_asset_deps() -> None:
    raw = Asset(
        key="s3://lake/raw.csv",
        properties=AssetProperties(
            name="Raw", description="as landed", owners=["data"], url="https://x.test/raw"
        ),
    )

    @materialize(raw, by="spark")
    def extract() -> list[int]:
        raw.add_metadata({"rows": 3})
        add_asset_metadata("s3://lake/raw.csv", {"bytes": 12})
        return [1, 2, 3]

    @materialize("s3://lake/clean.csv", asset_deps=["postgres://db/reference"])
    def clean(rows: list[int]) -> list[int]:
        return rows

    @materialize("s3://lake/report.csv")
    def report(rows: list[int]) -> int:
        return len(rows)

    @flow
    def pipeline() -> int:
        rows = extract()  # a direct call: its result object carries the lineage
        cleaned = clean.submit(rows)  # a future: its run id carries it
        return report(cleaned)

    assert pipeline() == 3
    events = _asset_events()
    done = _by_name(events, SUCCEEDED)
    assert set(done) == {"s3://lake/raw.csv", "s3://lake/clean.csv", "s3://lake/report.csv"}
    assert _upstream(done["s3://lake/raw.csv"]) == []
    assert _upstream(done["s3://lake/clean.csv"]) == [
        "postgres://db/reference",
        "s3://lake/raw.csv",
    ]
    assert _upstream(done["s3://lake/report.csv"]) == ["s3://lake/clean.csv"]
    first = done["s3://lake/raw.csv"]
    assert first["payload"] == {"rows": 3, "bytes": 12}
    assert first["resource"]["headwater.resource.name"] == "Raw"
    assert first["resource"]["headwater.asset.owners"] == '["data"]'
    roles = {r["headwater.resource.role"]: r["headwater.resource.id"] for r in first["related"]}
    assert roles["asset-materialized-by"] == "spark"
    assert roles["flow-run"].startswith("headwater.flow-run.")
    referenced = sorted(
        e["resource"]["headwater.resource.id"]
        for e in events
        if e["event"] == "headwater.asset.referenced"
    )
    assert referenced == ["postgres://db/reference", "s3://lake/clean.csv", "s3://lake/raw.csv"]


def test_failed_materialization_emits_failed_and_still_references_upstream() -> None:
    @materialize("s3://lake/broken.csv", asset_deps=["s3://lake/input.csv"])
    def broken() -> None:
        raise ValueError("disk full")

    @flow
    def pipeline() -> None:
        broken()

    state = pipeline(return_state=True)
    assert state.is_failed()
    events = _asset_events()
    assert [e["event"] for e in events] == [
        "headwater.asset.referenced",
        "headwater.asset.materialization.failed",
    ]
    assert _upstream(events[1]) == ["s3://lake/input.csv"]


def test_cached_run_emits_no_events_but_passes_assets_on() -> None:
    from headwater.cache_policies import INPUTS

    @materialize("s3://lake/cached.csv", cache_policy=INPUTS)
    def build(n: int) -> dict[str, int]:
        return {"n": n}

    @materialize("s3://lake/after-cache.csv")
    def after(data: dict[str, int]) -> int:
        return data["n"]

    @flow
    def pipeline() -> int:
        return after(build.submit(7))

    assert pipeline() == 7
    assert pipeline() == 7  # `build` is Cached the second time
    events = _asset_events()
    built = [e for e in events if e["resource"]["headwater.resource.id"] == "s3://lake/cached.csv"]
    assert [e["event"] for e in built].count(SUCCEEDED) == 1
    afters = [
        e
        for e in events
        if e["event"] == SUCCEEDED and "after-cache" in e["resource"]["headwater.resource.id"]
    ]
    assert len(afters) == 2
    assert all(_upstream(e) == ["s3://lake/cached.csv"] for e in afters)


def test_plain_task_with_asset_deps_passes_them_downstream() -> None:
    @task(asset_deps=["s3://vendor/feed.json"])
    def fetch() -> list[str]:
        return ["a", "b"]

    @materialize("s3://lake/feed.csv")
    def store(items: list[str]) -> int:
        return len(items)

    @flow
    def pipeline() -> int:
        return store(fetch())

    assert pipeline() == 2
    events = _asset_events()
    assert _upstream(_by_name(events, SUCCEEDED)["s3://lake/feed.csv"]) == ["s3://vendor/feed.json"]


def test_unrelated_equal_values_are_not_lineage() -> None:
    @materialize("s3://lake/one.csv")
    def one() -> int:
        return 1  # a small int is a shared object: it must not link anything

    @materialize("s3://lake/two.csv")
    def two(x: int) -> int:
        return x

    @flow
    def pipeline() -> int:
        one()
        return two(1)

    pipeline()
    assert _upstream(_by_name(_asset_events(), SUCCEEDED)["s3://lake/two.csv"]) == []


def test_process_pool_runs_record_lineage_in_the_orchestrator() -> None:
    @materialize("file://tmp/proc-a.csv")
    def first() -> list[int]:
        return [1]

    @materialize("file://tmp/proc-b.csv")
    def second(x: list[int]) -> int:
        return len(x)

    @flow(task_runner=ProcessPoolTaskRunner(max_workers=1))
    def pipeline() -> int:
        return second.submit(first.submit()).result()

    assert pipeline() == 1
    done = _by_name(_asset_events(), SUCCEEDED)
    assert _upstream(done["file://tmp/proc-b.csv"]) == ["file://tmp/proc-a.csv"]


def test_metadata_outside_a_materializing_task_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="outside a task run"):
        add_asset_metadata("s3://lake/x.csv", {"a": 1})

    @materialize("s3://lake/mine.csv")
    def mine() -> None:
        add_asset_metadata("s3://lake/other.csv", {"a": 1})

    with pytest.raises(
        ValueError, match=r"materializes \['s3://lake/mine.csv'\], not 's3://lake/other.csv'"
    ):
        mine()


def test_materialize_needs_an_asset_and_keeps_task_options() -> None:
    with pytest.raises(TypeError, match="at least one asset"):
        materialize()

    @materialize("s3://lake/a.csv", "s3://lake/b.csv", by="dbt", retries=2, name="build-ab")
    def build() -> int:
        return 1

    assert isinstance(build, MaterializingTask)
    assert (build.name, build.retries, build.materialized_by) == ("build-ab", 2, "dbt")
    assert [a.key for a in build.assets] == ["s3://lake/a.csv", "s3://lake/b.csv"]
    copy = build.with_options(retries=0, assets=["s3://lake/c.csv"])
    assert isinstance(copy, MaterializingTask)
    assert (copy.retries, [a.key for a in copy.assets], copy.materialized_by) == (
        0,
        ["s3://lake/c.csv"],
        "dbt",
    )
    assert build() == 1
    assert copy() == 1  # outside a flow: runs and records too
    assert set(_by_name(_asset_events(), SUCCEEDED)) == {
        "s3://lake/a.csv",
        "s3://lake/b.csv",
        "s3://lake/c.csv",
    }


def test_prefect_spelling_finds_the_events() -> None:
    from headwater.events.filters import EventFilter, read_events

    @materialize("s3://lake/spelled.csv")
    def spelled() -> int:
        return 5

    spelled()
    store = get_store()
    store.flush()
    found = read_events(
        store,
        EventFilter(
            event=("prefect.asset.materialization.succeeded",),
            resource_id=("s3://lake/spelled.csv",),
        ),
    )
    assert [e["event"] for e in found] == [SUCCEEDED]
