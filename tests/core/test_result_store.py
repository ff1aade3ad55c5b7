"""headwater.results.ResultStore: Prefect 3's record store over headwater's persistence."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from headwater import settings, task
from headwater.locking.memory import MemoryLockManager
from headwater.results import ResultStore
from headwater.serializers import JSONSerializer


def test_write_read_exists(tmp_path: Path) -> None:
    store = ResultStore(result_storage=str(tmp_path))
    store.write({"rows": 3}, key="daily")
    assert store.exists("daily") and not store.exists("other")
    fresh = ResultStore(result_storage=str(tmp_path))  # nothing from memory
    record = fresh.read("daily")
    assert record.result == {"rows": 3} and record.metadata.storage_key == "daily"
    with pytest.raises(FileNotFoundError, match="'other'"):
        fresh.read("other")


def test_default_storage_key_and_serializer(headwater_home: Path) -> None:
    store = ResultStore(serializer=JSONSerializer())
    record = store.create_result_record([1, 2])
    store.persist_result_record(record)
    key = record.metadata.storage_key
    assert len(key) == 32 and (settings.home() / "storage" / key).exists()
    assert ResultStore().read(key).result == [1, 2]


def test_expired_records_do_not_exist(tmp_path: Path) -> None:
    store = ResultStore(result_storage=str(tmp_path))
    past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=1)
    store.write(1, key="old", expiration=past)
    assert not store.exists("old")


def test_reads_a_tasks_cached_result(tmp_path: Path) -> None:
    @task(cache_key_fn=lambda ctx, params: f"square-{params['x']}", result_storage=str(tmp_path))
    def square(x: int) -> int:
        return x * x

    square(7)
    assert ResultStore(result_storage=str(tmp_path)).read("square-7").result == 49


def test_locks_keep_other_writers_out(tmp_path: Path) -> None:
    store = ResultStore(result_storage=str(tmp_path), lock_manager=MemoryLockManager())
    assert store.supports_isolation_level("SERIALIZABLE")
    assert store.acquire_lock("k", holder="me")
    store.write(1, key="k", holder="me")
    with pytest.raises(RuntimeError, match="locked by another holder"):
        store.write(2, key="k", holder="you")
    store.release_lock("k", holder="me")
    store.write(2, key="k", holder="you")
    assert ResultStore(result_storage=str(tmp_path)).read("k").result == 2
    with pytest.raises(ValueError, match="no lock manager"):
        ResultStore().acquire_lock("k")
    assert not ResultStore().supports_isolation_level("SERIALIZABLE")


def test_repr_names_where_results_go(headwater_home) -> None:
    from headwater.results import ResultStore

    shown = repr(ResultStore())
    assert str(headwater_home / "storage") in shown and "pickle" in shown
