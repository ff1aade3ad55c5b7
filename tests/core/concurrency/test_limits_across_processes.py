"""Limits hold across processes sharing one home; a killed holder's slots come back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from headwater.concurrency import create_global_concurrency_limit, read_global_concurrency_limit
from headwater.concurrency.sync import concurrency

sys.path.insert(0, str(Path(__file__).parent))
from concurrency_contention import max_overlap  # noqa: E402

CONTENTION = str(Path(__file__).parent / "concurrency_contention.py")


def test_eight_processes_never_exceed_two_slots_and_none_starves(tmp_path):
    create_global_concurrency_limit("db", limit=2)
    outs = [tmp_path / f"p{i}.txt" for i in range(8)]
    procs = [
        subprocess.Popen([sys.executable, CONTENTION, "db", "6", "0.01", str(out)]) for out in outs
    ]
    for proc in procs:
        assert proc.wait(timeout=240) == 0
    spans = []
    for out in outs:
        mine = [tuple(map(float, line.split())) for line in out.read_text().splitlines()]
        assert len(mine) == 6  # every process got every slot it asked for
        spans += mine
    assert max_overlap(spans) <= 2
    assert read_global_concurrency_limit("db").active_slots == 0


HOLDER = """
import sys, time
from headwater.concurrency.sync import concurrency
with concurrency("db", lease_duration=float(sys.argv[1]), strict=True):
    print("held", flush=True)
    time.sleep(600)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_holder_killed_with_sigkill_gives_its_slot_back_when_the_lease_expires():
    create_global_concurrency_limit("db", limit=1)
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, "1.5"], stdout=subprocess.PIPE, text=True
    ) as proc:
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "held"
            with pytest.raises(TimeoutError), concurrency("db", timeout_seconds=0.3):
                pass  # full while the holder lives
            os.kill(proc.pid, signal.SIGKILL)
            assert proc.wait(timeout=30) == -signal.SIGKILL
        finally:
            if proc.poll() is None:
                proc.kill()
    # no one releases it: the lease runs out and the slot is free again
    with concurrency("db", timeout_seconds=30):
        assert read_global_concurrency_limit("db").active_slots == 1
    assert read_global_concurrency_limit("db").active_slots == 0


WAITING_TASK = """
from headwater import flow, task

@task(tags=["db"])
def load() -> None:
    pass

@flow
def etl() -> None:
    load()

etl()
"""


def test_ctrl_c_while_a_task_run_waits_for_a_tag_slot_leaves_the_line():
    from headwater.concurrency import create_concurrency_limit
    from headwater.concurrency.storage import get_store
    from headwater.history import get_store as get_run_store

    create_concurrency_limit("db", 1)
    store = get_store()
    with concurrency("tag:db"):  # the slot is taken: the subprocess's task run waits
        with subprocess.Popen(
            [sys.executable, "-c", WAITING_TASK], stderr=subprocess.PIPE, text=True
        ) as proc:
            try:
                waiting = None
                for line in proc.stderr or ():
                    if "Waiting for a concurrency slot on tag(s) 'db'" in line:
                        waiting = line
                        break
                assert waiting is not None
                [(in_line,)] = store.query("SELECT count(*) FROM concurrency_waiters")
                assert in_line == 1
                proc.send_signal(signal.SIGINT)
                proc.communicate(timeout=60)
                assert proc.returncode != 0
            finally:
                if proc.poll() is None:
                    proc.kill()
        [(in_line,)] = store.query("SELECT count(*) FROM concurrency_waiters")
        assert in_line == 0  # it left the line: nobody behind it waits for a dead waiter
    runs = get_run_store().read_task_runs()
    assert [r["state_type"] for r in runs] == ["CRASHED"]
    assert read_global_concurrency_limit("tag:db").active_slots == 0
