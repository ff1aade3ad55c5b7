"""Caching and result persistence through real flow and task runs."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from headwater import flow, task
from headwater.cache_policies import DEFAULT, INPUTS, NO_CACHE, TASK_SOURCE
from headwater.tasks import task_input_hash


def _counter() -> list[int]:
    return []


def test_cache_hit_returns_stored_result_without_running_the_body() -> None:
    calls = _counter()

    @task(cache_key_fn=task_input_hash, cache_expiration_seconds=3600)
    def double(x: int) -> int:
        calls.append(x)
        return x * 2

    @flow
    def main(x: int) -> tuple:
        return (
            double(x, return_state=True),
            double(x, return_state=True),
            double(x + 1, return_state=True),
        )

    first, second, third = main(5)
    assert (first.name, second.name, third.name) == ("Completed", "Cached", "Completed")
    assert second.is_completed() and second.result() == 10
    assert calls == [5, 6]
    again = main(5)  # a new flow run: task_input_hash is not scoped to a run
    assert again[0].name == "Cached" and calls == [5, 6]


def test_default_policy_caches_within_one_flow_run_only() -> None:
    calls = _counter()

    @task(persist_result=True)
    def work(x: int) -> int:
        calls.append(x)
        return x

    @flow
    def main() -> list[str]:
        return [work(1, return_state=True).name, work(1, return_state=True).name]

    assert main() == ["Completed", "Cached"]
    assert main() == ["Completed", "Cached"]
    assert calls == [1, 1]


def test_no_persistence_means_no_caching_by_default() -> None:
    calls = _counter()

    @task
    def work(x: int) -> int:
        calls.append(x)
        return x

    @flow
    def main() -> None:
        work(1)
        work(1)

    main()
    assert calls == [1, 1]


def test_no_cache_policy() -> None:
    calls = _counter()

    @task(cache_policy=NO_CACHE, persist_result=True)
    def work(x: int) -> int:
        calls.append(x)
        return x

    @flow
    def main() -> None:
        work(1)
        work(1)

    main()
    assert calls == [1, 1]


def test_refresh_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counter()

    @task(cache_policy=INPUTS)
    def work(x: int) -> int:
        calls.append(x)
        return len(calls)

    refreshing = work.with_options(refresh_cache=True)
    assert work(1) == 1
    assert work(1) == 1
    assert refreshing(1) == 2  # runs, and rewrites the record
    assert work(1) == 2
    monkeypatch.setenv("HEADWATER_TASKS_REFRESH_CACHE", "true")
    assert work(1) == 3


def test_expiration() -> None:
    calls = _counter()

    @task(cache_policy=INPUTS, cache_expiration=datetime.timedelta(seconds=0.3))
    def work(x: int) -> int:
        calls.append(x)
        return x

    work(1)
    assert work(1, return_state=True).name == "Cached"
    time.sleep(0.4)
    assert work(1, return_state=True).name == "Completed"
    assert calls == [1, 1]


def test_disable_caching_and_default_no_cache_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counter()

    @task(cache_policy=INPUTS)
    def explicit(x: int) -> int:
        calls.append(x)
        return x

    @task(persist_result=True)
    def implicit(x: int) -> int:
        calls.append(x)
        return x

    monkeypatch.setenv("HEADWATER_TASKS_DISABLE_CACHING", "true")
    explicit(1)
    assert explicit(1, return_state=True).name == "Completed"
    monkeypatch.delenv("HEADWATER_TASKS_DISABLE_CACHING")
    assert explicit(1, return_state=True).name == "Completed"  # no record was written
    assert explicit(1, return_state=True).name == "Cached"

    monkeypatch.setenv("HEADWATER_TASKS_DEFAULT_NO_CACHE", "true")

    @flow
    def main() -> list[str]:
        return [implicit(2, return_state=True).name, implicit(2, return_state=True).name]

    assert main() == ["Completed", "Completed"]


def test_persist_result_false_forces_no_cache(run_logs: list[str]) -> None:
    calls = _counter()

    @task(cache_policy=INPUTS, persist_result=False)
    def work(x: int) -> int:
        calls.append(x)
        return x

    work(1)
    work(1)
    assert calls == [1, 1]
    assert any("persist_result=False" in line for line in run_logs)


def test_cache_key_fn_wins_over_policy_with_one_warning(run_logs: list[str]) -> None:
    @task(cache_key_fn=lambda ctx, args: "constant-key", cache_policy=INPUTS)
    def work(x: int) -> int:
        return x

    assert work(1) == 1
    assert work(2) == 1  # the constant key wins
    assert sum("cache_key_fn is used" in line for line in run_logs) == 1


def test_unhashable_argument_warns_once_and_runs_uncached(run_logs: list[str]) -> None:
    calls = _counter()
    lock = threading.Lock()

    @task(cache_policy=INPUTS)
    def guarded(x: int, lock: object) -> int:
        calls.append(x)
        return x

    @flow
    def main() -> list[str]:
        return [guarded(1, lock, return_state=True).name for _ in range(3)]

    assert main() == ["Completed"] * 3
    warnings = [line for line in run_logs if "cannot be hashed" in line]
    assert len(warnings) == 1
    assert (
        "'lock'" in warnings[0] and 'INPUTS - "lock"' in warnings[0] and "NO_CACHE" in warnings[0]
    )

    @task(cache_policy=INPUTS - "lock")
    def excluded(x: int, lock: object) -> int:
        calls.append(x)
        return x

    excluded(2, lock)
    assert excluded(2, threading.Lock(), return_state=True).name == "Cached"


def test_compound_policy_with_failing_part_computes_no_key(run_logs: list[str]) -> None:
    calls = _counter()

    @task(cache_policy=TASK_SOURCE + INPUTS)
    def work(x: int, lock: object) -> int:
        calls.append(x)
        return x

    work(1, threading.Lock())
    work(1, threading.Lock())
    assert calls == [1, 1]
    assert sum("cannot be hashed" in line for line in run_logs) == 1


def test_corrupt_result_file_is_reported_and_the_task_reruns(
    run_logs: list[str], headwater_home: Path
) -> None:
    calls = _counter()

    @task(cache_policy=INPUTS)
    def work(x: int) -> int:
        calls.append(x)
        return x * 10

    assert work(1) == 10
    (record,) = (headwater_home / "storage").iterdir()
    record.write_bytes(b"garbage, not a result")
    state = work(1, return_state=True)
    assert state.name == "Completed" and state.result() == 10
    assert calls == [1, 1]
    assert any("corrupt" in line and str(record) in line for line in run_logs)
    assert work(1, return_state=True).name == "Cached"  # rewritten


def test_json_serializer(tmp_path: Path) -> None:
    tmp_path = tmp_path / "results"

    @task(cache_policy=INPUTS, result_serializer="json", result_storage=str(tmp_path))
    def work(x: int) -> dict:
        return {"x": x, "items": [1, 2]}

    assert work(1) == {"x": 1, "items": [1, 2]}
    (record,) = tmp_path.iterdir()
    assert b'{"x":1,"items":[1,2]}' in record.read_bytes()
    assert work(1, return_state=True).name == "Cached"
    assert work(1) == {"x": 1, "items": [1, 2]}


@pytest.mark.parametrize("kind", ["block", "slug-name", "path"])
def test_result_storage_forms(kind: str, tmp_path: Path) -> None:
    from headwater.blocks import LocalFileSystem

    target = tmp_path / "results"
    if kind == "block":
        storage: object = LocalFileSystem(basepath=str(target))
    elif kind == "slug-name":
        LocalFileSystem(basepath=str(target)).save("results")
        storage = "local-file-system/results"
    else:
        storage = target
    calls = _counter()

    @task(result_storage=storage, cache_policy=INPUTS)
    def work(x: int) -> int:
        calls.append(x)
        return x

    work(1)
    assert work(1, return_state=True).name == "Cached"
    assert calls == [1]
    assert len(list(target.iterdir())) == 1


def test_tasks_inherit_flow_result_storage(tmp_path: Path) -> None:
    tmp_path = tmp_path / "results"

    @task(cache_policy=INPUTS)
    def work(x: int) -> int:
        return x

    @flow(result_storage=str(tmp_path), result_serializer="json")
    def main() -> None:
        work(1)

    main()
    # the task's record, plus the flow's own (None) result: the flow names a storage
    task_records = [p for p in tmp_path.iterdir() if not p.name.startswith("flow-run-")]
    (record,) = task_records
    assert b'"serializer": "json"' in record.read_bytes()
    assert len(list(tmp_path.iterdir())) == 2


def test_result_storage_key_and_memory_off(tmp_path: Path) -> None:
    from headwater.persistence.records import PersistedResult

    @task(
        result_storage=str(tmp_path),
        result_storage_key="out-{parameters[x]}.bin",
        cache_result_in_memory=False,
    )
    def work(x: int) -> int:
        return x + 1

    state = work(4, return_state=True)
    assert isinstance(state.data, PersistedResult)
    assert state.result() == 5
    assert (tmp_path / "out-4.bin").exists()


def test_two_tasks_with_equal_inputs_do_not_share_a_cache() -> None:
    @task(cache_policy=INPUTS)
    def one(x: int) -> str:
        return "one"

    @task(cache_policy=INPUTS)
    def two(x: int) -> str:
        return "two"

    assert (one(1), two(1), one(1), two(1)) == ("one", "two", "one", "two")


SCRIPT = """
import os, sys
from headwater import flow, task
from headwater.cache_policies import INPUTS

@task(cache_policy=INPUTS, result_storage=sys.argv[1])
def expensive(x):
    print("BODY RAN", flush=True)
    return x * 3

@flow
def main():
    state = expensive(7, return_state=True)
    print("STATE", state.name, state.result(), flush=True)

main()
"""


def test_cache_holds_across_processes_sharing_storage(tmp_path: Path) -> None:
    script = tmp_path / "shared_cache.py"
    script.write_text(SCRIPT)
    shared = tmp_path / "shared-storage"
    outputs = []
    for home in ("home-a", "home-b"):  # different homes: only the storage is shared
        env = {**os.environ, "HEADWATER_HOME": str(tmp_path / home)}
        proc = subprocess.run(
            [sys.executable, str(script), str(shared)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        outputs.append(proc.stdout)
    assert "BODY RAN" in outputs[0] and "STATE Completed 21" in outputs[0]
    assert "BODY RAN" not in outputs[1] and "STATE Cached 21" in outputs[1]


def test_default_policy_includes_task_source() -> None:
    assert TASK_SOURCE in DEFAULT.policies
