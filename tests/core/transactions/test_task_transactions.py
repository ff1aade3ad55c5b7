"""Task runs inside transactions: staged records, commit and rollback hooks."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from headwater import flow, task
from headwater.cache_policies import INPUTS
from headwater.transactions import Transaction, get_transaction, transaction


def _records(root: Path) -> set[str]:
    return {p.name for p in root.iterdir()} if root.exists() else set()


def test_on_rollback_runs_when_a_later_task_fails(tmp_path: Path) -> None:
    """Prefect's first transactions example: the file is gone after the failed flow."""
    target = tmp_path / "side-effect.txt"

    @task
    def write_file(contents: str) -> None:
        target.write_text(contents)

    @write_file.on_rollback
    def del_file(txn: Transaction) -> None:
        assert txn.get("filename") == str(target)  # found in the parent transaction
        target.unlink()

    @task
    def quality_test() -> None:
        if len(target.read_text().splitlines()) < 2:
            raise ValueError("Not enough data!")

    @flow
    def pipeline(contents: str) -> None:
        with transaction() as txn:
            txn.set("filename", str(target))
            write_file(contents)
            assert target.exists()
            quality_test()

    with pytest.raises(ValueError, match="Not enough data"):
        pipeline("hello world")
    assert not target.exists()
    pipeline("two\nlines\n")  # succeeds: nothing rolled back
    assert target.exists()


def test_on_commit_runs_when_the_outermost_transaction_commits() -> None:
    events: list[str] = []

    @task(on_commit=[lambda txn: events.append(f"commit {txn.is_staged()}")])
    def step() -> int:
        events.append("ran")
        return 1

    @flow
    def pipeline() -> None:
        with transaction():
            with transaction():
                step()
            events.append("inner closed")
        events.append("outer closed")

    pipeline()
    assert events == ["ran", "inner closed", "commit True", "outer closed"]


def test_outside_a_transaction_commit_hooks_run_at_completion_before_on_completion() -> None:
    events: list[str] = []

    @task(
        on_commit=[lambda txn: events.append("commit")],
        on_completion=[lambda t, r, s: events.append("completion")],
    )
    def step() -> int:
        return 1

    assert step() == 1
    assert events == ["commit", "completion"]


def test_results_are_written_at_commit_and_never_on_rollback(tmp_path: Path) -> None:
    store = tmp_path / "results"
    seen_inside: list[set[str]] = []

    @task(cache_policy=INPUTS, result_storage=str(store))
    def compute(x: int) -> int:
        return x * 2

    @flow
    def pipeline(fail: bool) -> None:
        with transaction():
            compute(1 if fail else 2)
            seen_inside.append(_records(store))
            if fail:
                raise RuntimeError("abort")

    with pytest.raises(RuntimeError):
        pipeline(True)
    assert _records(store) == set()  # rolled back: nothing written
    pipeline(False)
    assert seen_inside[-1] == set()  # staged, not yet written
    assert len(_records(store)) == 1


def test_a_failed_task_rolls_back_even_when_the_flow_carries_on() -> None:
    undone: list[str] = []

    @task(on_rollback=[lambda txn: undone.append("first")])
    def first() -> int:
        return 1

    @task
    def second() -> int:
        raise ValueError("no")

    @flow
    def pipeline() -> bool:
        with transaction() as txn:
            first()
            state = second(return_state=True)
            assert state.is_failed()
        return txn.is_rolled_back()

    assert pipeline() is True
    assert undone == ["first"]


def test_commit_and_rollback_hooks_get_the_task_transaction() -> None:
    got: list[Any] = []

    @task
    def step() -> None:
        txn = get_transaction()
        assert txn is not None
        txn.set("seen", "inside the task")

    @step.on_commit
    def remember(txn: Transaction) -> None:
        got.append((txn.get("seen"), txn.get("flow-level")))

    @flow
    def pipeline() -> None:
        with transaction() as txn:
            txn.set("flow-level", 1)
            step()

    pipeline()
    assert got == [("inside the task", 1)]


def test_cached_runs_do_not_run_commit_hooks_again(tmp_path: Path) -> None:
    commits: list[int] = []

    @task(
        cache_policy=INPUTS, result_storage=str(tmp_path), on_commit=[lambda t: commits.append(1)]
    )
    def compute(x: int) -> int:
        return x + 1

    assert compute(1) == 2
    assert compute(1) == 2  # Cached
    assert commits == [1]


def test_async_tasks_and_submitted_tasks_join_the_transaction() -> None:
    events: list[str] = []

    @task(on_commit=[lambda t: events.append("async committed")])
    async def fetch() -> int:
        return 1

    @task(on_commit=[lambda t: events.append("thread committed")])
    def crunch() -> int:
        return 2

    @flow
    async def pipeline() -> None:
        with transaction():
            await fetch()
            crunch.submit().result()
            assert events == []
        assert sorted(events) == ["async committed", "thread committed"]

    asyncio.run(pipeline())


def test_task_level_serializable_without_a_lock_manager_fails_the_run() -> None:
    @task(cache_policy=INPUTS.configure(isolation_level="SERIALIZABLE"))
    def compute(x: int) -> int:
        return x

    state = compute(1, return_state=True)
    assert state.is_failed()
    message = state.message or ""
    assert "no lock manager" in message and "lock_manager=" in message


def test_same_key_twice_inside_a_serializable_transaction_does_not_deadlock(
    tmp_path: Path,
) -> None:
    import threading

    from headwater.locking import MemoryLockManager
    from headwater.transactions import IsolationLevel

    calls: list[int] = []

    @task(cache_policy=INPUTS, result_storage=str(tmp_path))
    def compute(x: int) -> int:
        calls.append(x)
        return x

    @flow
    def pipeline() -> None:
        with transaction(
            key="outer",
            isolation_level=IsolationLevel.SERIALIZABLE,
            lock_manager=MemoryLockManager(),
        ):
            compute(1)
            compute(1)  # record staged, not written: runs again, must not wait on itself

    worker = threading.Thread(target=pipeline, daemon=True)
    worker.start()
    worker.join(60)
    assert not worker.is_alive()
    assert calls == [1, 1]
    assert not MemoryLockManager().is_locked("outer")


def test_ctrl_c_inside_a_task_rolls_back_releases_the_key_and_resets_context(
    tmp_path: Path,
) -> None:
    from headwater.locking import MemoryLockManager
    from headwater.transactions import IsolationLevel

    undone: list[str] = []

    @task(on_rollback=[lambda t: undone.append("first")])
    def first() -> int:
        return 1

    @task
    def interrupted() -> None:
        raise KeyboardInterrupt

    @flow
    def pipeline() -> None:
        with transaction(
            key="ctrl-c",
            isolation_level=IsolationLevel.SERIALIZABLE,
            lock_manager=MemoryLockManager(),
        ):
            first()
            interrupted()

    with pytest.raises(KeyboardInterrupt):
        pipeline()
    assert undone == ["first"]
    assert get_transaction() is None
    assert not MemoryLockManager().is_locked("ctrl-c")
    from headwater.results import ResultStore

    assert not ResultStore().exists("ctrl-c")


def test_async_serializable_runs_wait_without_blocking_the_loop(tmp_path: Path) -> None:
    from headwater.locking import MemoryLockManager

    computed: list[int] = []

    @task(
        cache_policy=INPUTS.configure(
            isolation_level="SERIALIZABLE", lock_manager=MemoryLockManager()
        ),
        result_storage=str(tmp_path),
    )
    async def expensive(x: int) -> int:
        computed.append(x)
        await asyncio.sleep(0.3)  # the other run waits for the lock meanwhile, on this loop
        return x * 10

    @flow
    async def pipeline() -> list[str]:
        states = await asyncio.gather(
            expensive(2, return_state=True), expensive(2, return_state=True)
        )
        return sorted(s.name for s in states)

    assert asyncio.run(pipeline()) == ["Cached", "Completed"]
    assert computed == [2]
