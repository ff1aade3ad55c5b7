"""Keyed transactions across real processes sharing one home: idempotent re-runs,
SERIALIZABLE turns, isolation-level mismatches, and Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from headwater.exceptions import ConfigurationError
from headwater.locking import FileSystemLockManager, MemoryLockManager
from headwater.persistence.result_store import ResultStore
from headwater.transactions import IsolationLevel, transaction

PIPELINE = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from headwater import flow, task
    from headwater.locking import FileSystemLockManager
    from headwater.settings import HEADWATER_HOME
    from headwater.transactions import IsolationLevel, transaction

    key, level, log = sys.argv[1], sys.argv[2], Path(sys.argv[3])

    @task
    def download() -> str:
        with log.open("a") as f:
            f.write(f"compute {sys.argv[4]}\\n")
        Path(str(log) + ".computing").write_text("yes")
        time.sleep(float(sys.argv[5]))
        return f"data from {sys.argv[4]}"

    @flow
    def pipeline() -> None:
        with transaction(
            key=key,
            isolation_level=IsolationLevel(level),
            lock_manager=FileSystemLockManager(HEADWATER_HOME.value() / "locks")
            if level == "SERIALIZABLE" else None,
        ) as txn:
            if txn.is_committed():
                print("already committed:", txn.read().result)
                return
            txn.stage(download())
            print("committed now")

    pipeline()
    """
)


def _run(script: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(script), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def pipeline_script(tmp_path: Path) -> Path:
    script = tmp_path / "pipeline.py"
    script.write_text(PIPELINE)
    return script


def test_a_committed_key_short_circuits_the_next_process(
    pipeline_script: Path, tmp_path: Path
) -> None:
    log = tmp_path / "log.txt"
    outs = []
    for who in ("first", "second"):
        proc = _run(pipeline_script, "daily-load", "READ_COMMITTED", str(log), who, "0")
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outs.append(out)
    assert "committed now" in outs[0]
    assert "already committed: data from first" in outs[1]
    assert log.read_text().splitlines() == ["compute first"]
    assert ResultStore().read("daily-load").result == "data from first"  # this process too
    with transaction(key="daily-load") as txn:
        assert txn.is_committed()
    with transaction(key="daily-load", overwrite=True) as txn:
        assert not txn.is_committed()
        txn.stage("replaced")
    assert ResultStore().read("daily-load").result == "replaced"


def test_serializable_processes_take_turns_and_the_second_reuses_the_record(
    pipeline_script: Path, tmp_path: Path
) -> None:
    log = tmp_path / "log.txt"
    first = _run(pipeline_script, "race", "SERIALIZABLE", str(log), "first", "1.5")
    deadline = time.monotonic() + 60
    while not Path(str(log) + ".computing").exists():  # first holds the lock now
        assert time.monotonic() < deadline and first.poll() is None, first.communicate()
        time.sleep(0.02)
    second = _run(pipeline_script, "race", "SERIALIZABLE", str(log), "second", "0")
    out1, err1 = first.communicate(timeout=120)
    out2, err2 = second.communicate(timeout=120)
    assert (first.returncode, second.returncode) == (0, 0), err1 + err2
    assert "committed now" in out1
    assert "already committed: data from first" in out2  # waited, then reused
    assert log.read_text().splitlines() == ["compute first"]


def test_read_committed_processes_do_not_wait(pipeline_script: Path, tmp_path: Path) -> None:
    """The contrast (Prefect's race-condition example): without SERIALIZABLE both compute."""
    log = tmp_path / "log.txt"
    first = _run(pipeline_script, "race-rc", "READ_COMMITTED", str(log), "first", "1.5")
    deadline = time.monotonic() + 60
    while not Path(str(log) + ".computing").exists():
        assert time.monotonic() < deadline and first.poll() is None, first.communicate()
        time.sleep(0.02)
    second = _run(pipeline_script, "race-rc", "READ_COMMITTED", str(log), "second", "0")
    second.communicate(timeout=120)
    first.communicate(timeout=120)
    assert (first.returncode, second.returncode) == (0, 0)
    assert sorted(log.read_text().splitlines()) == ["compute first", "compute second"]


def test_a_key_reused_with_another_isolation_level_is_refused(
    pipeline_script: Path, tmp_path: Path
) -> None:
    proc = _run(pipeline_script, "nightly", "READ_COMMITTED", str(tmp_path / "log"), "a", "0")
    proc.communicate(timeout=120)
    assert proc.returncode == 0
    with pytest.raises(ConfigurationError) as caught:
        with transaction(
            key="nightly",
            isolation_level=IsolationLevel.SERIALIZABLE,
            lock_manager=FileSystemLockManager(tmp_path / "locks"),
        ):
            pass  # pragma: no cover - never entered
    message = str(caught.value)
    assert "'nightly'" in message and "isolation_level=READ_COMMITTED" in message
    assert "IsolationLevel.READ_COMMITTED" in message and "different key" in message
    assert not FileSystemLockManager(tmp_path / "locks").is_locked("nightly")  # released
    from headwater.transactions import get_transaction

    assert get_transaction() is None


def test_two_open_transactions_on_one_key_with_different_levels_are_refused() -> None:
    with transaction(key="shared-key"):
        with pytest.raises(ConfigurationError, match="is open in this process"):
            with transaction(
                key="shared-key",
                isolation_level=IsolationLevel.SERIALIZABLE,
                lock_manager=MemoryLockManager(),
            ):
                pass  # pragma: no cover
    with transaction(key="shared-key", overwrite=True) as again:  # the first one closed
        assert again.is_active()


def test_serializable_without_a_lock_manager_names_the_fix() -> None:
    with pytest.raises(ConfigurationError, match=r"no lock manager.*FileSystemLockManager"):
        with transaction(key="k", isolation_level=IsolationLevel.SERIALIZABLE):
            pass  # pragma: no cover


TASK_LEVEL = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from headwater import task
    from headwater.cache_policies import INPUTS
    from headwater.locking import FileSystemLockManager

    log = Path(sys.argv[1])
    policy = INPUTS.configure(
        isolation_level="SERIALIZABLE", lock_manager=FileSystemLockManager(sys.argv[2])
    )

    @task(cache_policy=policy)
    def expensive(x: int) -> int:
        with log.open("a") as f:
            f.write("compute\\n")
        time.sleep(1)
        return x * 10

    state = expensive(4, return_state=True)
    print(state.name, state.result())
    """
)


def test_task_level_serializable_computes_once_across_processes(tmp_path: Path) -> None:
    script = tmp_path / "expensive.py"
    script.write_text(TASK_LEVEL)
    log = tmp_path / "log.txt"
    procs = [_run(script, str(log), str(tmp_path / "locks")) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert sorted(out.split()[0] for out, _ in outs) == ["Cached", "Completed"]
    assert all(out.split()[1] == "40" for out, _ in outs)
    assert log.read_text().splitlines() == ["compute"]


INTERRUPTED = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from headwater import flow, task
    from headwater.cache_policies import INPUTS
    from headwater.transactions import transaction

    marker = Path(sys.argv[1])

    @task(cache_policy=INPUTS)
    def write(x: int) -> int:
        return x

    @write.on_rollback
    def undo(txn) -> None:
        marker.write_text("rolled back")

    @flow
    def pipeline() -> None:
        with transaction(key="interrupted") as txn:
            write(1)
            txn.stage("all done")
            print("ready", flush=True)
            time.sleep(60)

    pipeline()
    """
)


@pytest.mark.skipif(os.name != "posix", reason="SIGINT delivery")
def test_ctrl_c_rolls_back_and_writes_nothing(tmp_path: Path, headwater_home: Path) -> None:
    script = tmp_path / "interrupted.py"
    script.write_text(INTERRUPTED)
    marker = tmp_path / "marker"
    proc = _run(script, str(marker))
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0 and "KeyboardInterrupt" in err
    assert marker.read_text() == "rolled back"
    assert not ResultStore().exists("interrupted")
    storage = headwater_home / "storage"
    assert not storage.exists() or list(storage.iterdir()) == []  # nor the task's record
