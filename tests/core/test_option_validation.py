"""Bad @task / @flow options fail at decoration (and with_options) with an error that
names the task or flow, the option, the value and the fix."""

from __future__ import annotations

import datetime
import logging
import re
from typing import Any

import pytest
from headwater import flow, task


def fetch() -> int:
    return 1


TASK_CASES = [
    ({"retry_delay_seconds": "abc"}, TypeError, "retry_delay_seconds", "'abc'"),
    ({"retry_delay_seconds": [1, "2"]}, ValueError, "retry_delay_seconds", "'2'"),
    ({"retry_delay_seconds": -1}, ValueError, "retry_delay_seconds", "-1"),
    ({"timeout_seconds": "5"}, TypeError, "timeout_seconds", "'5'"),
    ({"timeout_seconds": -2}, ValueError, "timeout_seconds", "-2"),
    ({"timeout_seconds": 0}, ValueError, "timeout_seconds", "0"),
    ({"retries": "3"}, TypeError, "retries", "'3'"),
    ({"retries": 2.5}, TypeError, "retries", "2.5"),
    ({"retries": -1}, ValueError, "retries", "-1"),
    ({"retry_jitter_factor": -0.5}, ValueError, "retry_jitter_factor", "-0.5"),
    ({"retry_jitter_factor": "x"}, TypeError, "retry_jitter_factor", "'x'"),
    ({"cache_expiration": "1h"}, TypeError, "cache_expiration", "'1h'"),
    ({"cache_expiration": -5}, ValueError, "cache_expiration", "-5"),
]  # fmt: skip


@pytest.mark.parametrize(("options", "error", "option", "shown"), TASK_CASES)
def test_bad_task_option_is_refused_at_decoration(
    options: dict[str, Any], error: type[Exception], option: str, shown: str
) -> None:
    with pytest.raises(error) as info:
        task(name="fetch", **options)(fetch)
    message = str(info.value)
    assert option in message and "task 'fetch'" in message and shown in message
    assert re.search(r"(e\.g\.|use |pass |leave it)", message), message


@pytest.mark.parametrize(("options", "error", "option", "shown"), TASK_CASES)
def test_bad_task_option_is_refused_by_with_options(
    options: dict[str, Any], error: type[Exception], option: str, shown: str
) -> None:
    good = task(name="fetch")(fetch)
    with pytest.raises(error, match=option) as info:
        good.with_options(**options)
    assert "task 'fetch'" in str(info.value) and shown in str(info.value)


FLOW_CASES = [
    ({"retry_delay_seconds": "abc"}, TypeError, "retry_delay_seconds", "'abc'"),
    ({"retry_delay_seconds": -3}, ValueError, "retry_delay_seconds", "-3"),
    ({"timeout_seconds": "5"}, TypeError, "timeout_seconds", "'5'"),
    ({"timeout_seconds": -1}, ValueError, "timeout_seconds", "-1"),
    ({"retries": "3"}, TypeError, "retries", "'3'"),
    ({"retries": -1}, ValueError, "retries", "-1"),
]  # fmt: skip


@pytest.mark.parametrize(("options", "error", "option", "shown"), FLOW_CASES)
def test_bad_flow_option_is_refused(
    options: dict[str, Any], error: type[Exception], option: str, shown: str
) -> None:
    with pytest.raises(error) as info:
        flow(name="nightly", **options)(fetch)
    message = str(info.value)
    assert option in message and "flow 'nightly'" in message and shown in message
    good = flow(name="nightly")(fetch)
    with pytest.raises(error, match=option):
        good.with_options(**options)


def test_good_options_are_kept_as_given() -> None:
    t = task(
        retries=2,
        retry_delay_seconds=(1, 2),
        timeout_seconds=3,
        retry_jitter_factor=0.5,
        cache_expiration=datetime.timedelta(minutes=1),
    )(fetch)
    assert t.retries == 2 and t.retry_delay_seconds == [1.0, 2.0]
    assert t.timeout_seconds == 3.0 and t.retry_jitter_factor == 0.5
    assert t.cache_expiration == datetime.timedelta(minutes=1)
    assert task(cache_expiration=90)(fetch).cache_expiration == datetime.timedelta(seconds=90)
    f = flow(retries=1, retry_delay_seconds=2, timeout_seconds=1.5)(fetch)
    assert (f.retries, f.retry_delay_seconds, f.timeout_seconds) == (1, 2.0, 1.5)
    assert t.with_options(retries=0).retry_delay_seconds == [1.0, 2.0]


def test_unwritable_result_storage_warns_with_path_task_and_fix(
    tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where a directory should be")
    storage = blocker / "results"

    @task(name="save-report", persist_result=True, result_storage=str(storage))
    def save_report() -> int:
        return 7

    logger = logging.getLogger("headwater.task_runs")
    logger.addHandler(caplog.handler)
    try:
        assert save_report() == 7
    finally:
        logger.removeHandler(caplog.handler)
    (warning,) = {r.getMessage() for r in caplog.records if "persisted" in r.getMessage()}
    assert str(storage) in warning and "save-report" in warning
    assert "result_storage" in warning and "writable" in warning
