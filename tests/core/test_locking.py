"""Lock managers (Prefect's prefect.locking): memory for threads, filesystem across processes."""

from __future__ import annotations

import asyncio
import pickle
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from headwater.locking import FileSystemLockManager, LockManager, MemoryLockManager


@pytest.fixture(params=["memory", "filesystem"])
def manager(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LockManager]:
    if request.param == "memory":
        yield MemoryLockManager()
    else:
        yield FileSystemLockManager(tmp_path / "locks")


def _key(request: pytest.FixtureRequest) -> str:
    return f"key-{request.node.name}"


def test_one_holder_at_a_time(manager: LockManager, request: pytest.FixtureRequest) -> None:
    key = _key(request)
    assert isinstance(manager, LockManager)
    assert manager.acquire_lock(key, "a")
    assert manager.acquire_lock(key, "a", acquire_timeout=0)  # its holder may take it again
    assert manager.is_locked(key) and manager.is_lock_holder(key, "a")
    assert not manager.is_lock_holder(key, "b")
    assert not manager.acquire_lock(key, "b", acquire_timeout=0)
    assert not manager.acquire_lock(key, "b", acquire_timeout=0.05)
    assert not manager.wait_for_lock(key, timeout=0.05)
    with pytest.raises(ValueError, match="No lock held by 'b'.*held by 'a'"):
        manager.release_lock(key, "b")
    manager.release_lock(key, "a")
    assert not manager.is_locked(key) and manager.wait_for_lock(key, timeout=0)
    with pytest.raises(ValueError, match="not locked"):
        manager.release_lock(key, "a")
    assert manager.acquire_lock(key, "b", acquire_timeout=0)
    manager.release_lock(key, "b")


def test_hold_timeout_lapses(manager: LockManager, request: pytest.FixtureRequest) -> None:
    key = _key(request)
    assert manager.acquire_lock(key, "a", hold_timeout=0.1)
    assert manager.is_locked(key)
    assert manager.acquire_lock(key, "b", acquire_timeout=5)  # waits for the lapse
    assert manager.is_lock_holder(key, "b") and not manager.is_lock_holder(key, "a")
    manager.release_lock(key, "b")


def test_waiter_gets_the_lock_when_released(
    manager: LockManager, request: pytest.FixtureRequest
) -> None:
    key = _key(request)
    manager.acquire_lock(key, "a")
    got: list[bool] = []
    waiter = threading.Thread(target=lambda: got.append(manager.acquire_lock(key, "b")))
    waiter.start()
    time.sleep(0.1)
    assert got == [] and manager.is_lock_holder(key, "a")
    manager.release_lock(key, "a")
    waiter.join(5)
    assert got == [True] and manager.is_lock_holder(key, "b")
    manager.release_lock(key, "b")


def test_async_twins(manager: LockManager, request: pytest.FixtureRequest) -> None:
    key = _key(request)

    async def main() -> None:
        assert await manager.aacquire_lock(key, "a")
        assert not await manager.aacquire_lock(key, "b", acquire_timeout=0.05)
        assert not await manager.await_for_lock(key, timeout=0.05)
        asyncio.get_running_loop().call_later(0.05, manager.release_lock, key, "a")
        assert await manager.await_for_lock(key, timeout=5)
        assert await manager.aacquire_lock(key, "b", acquire_timeout=0)
        manager.release_lock(key, "b")

    asyncio.run(main())


def test_bad_timeouts_are_refused(manager: LockManager) -> None:
    with pytest.raises(ValueError, match="acquire_timeout must be a number of seconds"):
        manager.acquire_lock("k", "a", acquire_timeout=-1)
    with pytest.raises(ValueError, match="hold_timeout"):
        manager.acquire_lock("k", "a", hold_timeout="10")  # type: ignore[arg-type]


def test_memory_manager_is_one_per_process() -> None:
    assert MemoryLockManager() is MemoryLockManager()
    assert pickle.loads(pickle.dumps(MemoryLockManager())) is MemoryLockManager()


def test_filesystem_keys_with_odd_characters(tmp_path: Path) -> None:
    manager = FileSystemLockManager(tmp_path)
    for key in ("a/b/../c", "with space", "x" * 400):
        assert manager.acquire_lock(key, "me", acquire_timeout=0)
        assert manager.is_lock_holder(key, "me")
        manager.release_lock(key, "me")
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".lock"] == []


WORKER = textwrap.dedent(
    """
    import sys, time
    from headwater.locking import FileSystemLockManager

    directory, log, name = sys.argv[1:4]
    manager = FileSystemLockManager(directory)
    for i in range(15):
        assert manager.acquire_lock("shared", name, acquire_timeout=60)
        with open(log, "a") as f:
            f.write(f"enter {name}\\n")
        time.sleep(0.002)
        with open(log, "a") as f:
            f.write(f"exit {name}\\n")
        manager.release_lock("shared", name)
    """
)


def test_filesystem_lock_excludes_across_processes(tmp_path: Path) -> None:
    log = tmp_path / "log.txt"
    procs = [
        subprocess.Popen([sys.executable, "-c", WORKER, str(tmp_path / "locks"), str(log), n])
        for n in ("p1", "p2")
    ]
    assert [p.wait(120) for p in procs] == [0, 0]
    lines = [line.split() for line in log.read_text().splitlines()]
    assert len(lines) == 2 * 2 * 15
    for (enter, who), (exit_, again) in zip(lines[0::2], lines[1::2]):
        assert (enter, exit_) == ("enter", "exit") and who == again  # never interleaved


def test_lock_of_a_dead_process_is_free(tmp_path: Path) -> None:
    code = (
        "import sys; from headwater.locking import FileSystemLockManager as M; "
        "assert M(sys.argv[1]).acquire_lock('job', 'gone')"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True)
    manager = FileSystemLockManager(tmp_path)
    assert not manager.is_locked("job")
    assert manager.acquire_lock("job", "me", acquire_timeout=0)


def test_lock_is_seen_by_another_process(tmp_path: Path) -> None:
    manager = FileSystemLockManager(tmp_path)
    manager.acquire_lock("job", "me")
    code = (
        "import sys; from headwater.locking import FileSystemLockManager as M; "
        "m = M(sys.argv[1]); "
        "print(m.is_locked('job'), m.is_lock_holder('job', 'me'), "
        "m.acquire_lock('job', 'other', acquire_timeout=0))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], check=True, capture_output=True, text=True
    )
    assert out.stdout.split() == ["True", "True", "False"]
    manager.release_lock("job", "me")
