"""Prefect options headwater accepts but ignores warn once each, naming the option."""

from __future__ import annotations

import warnings

import pytest
from headwater import flow, task, unsupported
from headwater.cache_policies import INPUTS
from headwater.unsupported import UnsupportedOptionWarning


@pytest.fixture(autouse=True)
def _fresh_warning_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(unsupported, "_warned", set())


def _hook(*_: object) -> None: ...


def test_warns_once_per_process_per_option() -> None:
    @task
    def double(x: int) -> int:
        return 2 * x

    @flow
    def mapped() -> list[int]:
        return double.map([1, 2], deferred=True).result()

    with pytest.warns(UnsupportedOptionWarning):
        mapped()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert mapped() == [2, 4]  # second time: silent
        task(retries=1)(lambda: 3)  # supported options never warn
        task(on_commit=[_hook], on_rollback=[_hook])(lambda: 4)  # transactions run them
        task(cache_policy=INPUTS.configure(isolation_level="SERIALIZABLE"))(lambda: 5)
        task(viz_return_value=1, asset_deps=["s3://bucket/raw"])(lambda: 6)


def test_map_deferred_warns_and_still_maps() -> None:
    @task
    def double(x: int) -> int:
        return 2 * x

    @flow
    def mapped() -> list[int]:
        return double.map([1, 2], deferred=True).result()

    with pytest.warns(UnsupportedOptionWarning, match="'deferred'"):
        assert mapped() == [2, 4]


def test_flow_wait_for_waits_for_upstream_futures() -> None:
    import time

    order: list[str] = []

    @task
    def slow() -> None:
        time.sleep(0.2)
        order.append("upstream")

    @flow
    def child() -> None:
        order.append("child")

    @flow
    def parent() -> None:
        fut = slow.submit()
        child(wait_for=[fut])

    parent()
    assert order == ["upstream", "child"]
