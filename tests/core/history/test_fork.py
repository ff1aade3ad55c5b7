"""Forking while the writer is inside SQLite must not hand the child a held mutex."""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest
from headwater.history.sqlite import SQLiteRunStore
from store_helpers import flow_run, record_task

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def test_children_forked_mid_write_can_use_the_store(headwater_home):
    store = SQLiteRunStore(headwater_home)
    fr = flow_run()
    store.record_flow_run(fr)
    stop = threading.Event()

    def keep_writing():
        i = 0
        while not stop.is_set():
            record_task(store, fr.id, i)
            i += 1
            if i % 50 == 0:
                time.sleep(0.001)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        for _ in range(40):
            pid = os.fork()
            if pid == 0:  # the child: record and read through its copy of the store
                try:
                    record_task(store, fr.id, 10**6 + os.getpid())
                    store.flush(20)
                    code = 0 if store.count_task_runs(fr.id) > 0 else 1
                except BaseException:
                    code = 2
                sys.stdout.flush()
                os._exit(code)
            deadline = time.monotonic() + 30
            while True:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    assert os.waitstatus_to_exitcode(status) == 0
                    break
                if time.monotonic() > deadline:
                    os.kill(pid, 9)
                    os.waitpid(pid, 0)
                    pytest.fail("a child forked while the store was writing hung in SQLite")
                time.sleep(0.01)
    finally:
        stop.set()
        writer.join()
        store.close()
