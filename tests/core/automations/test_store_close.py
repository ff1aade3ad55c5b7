"""Closing the run store stops the automation evaluator beside it.

A CI run failed removing a temporary home (prefect_test_harness): the evaluator
thread, woken by the last commit, reopened the home's database while the
directory was being deleted.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from headwater import flow, settings
from headwater.automations import runtime
from headwater.history import get_store, reset_store


@flow
def tiny() -> int:
    return 1


def test_closing_the_store_stops_the_evaluator_and_releases_the_database(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    with settings.temporary_settings(updates={settings.HEADWATER_HOME: home}):
        store = get_store()
        background = runtime.evaluator_for(store)
        assert background is not None and background.thread.is_alive()
        assert tiny() == 1  # a commit with events wakes the evaluator
        background.run_pass()  # as the woken thread does: opens the home's database
        assert background.storage._conn is not None
        reset_store()
        assert not background.thread.is_alive()
        assert background.storage._conn is None
        shutil.rmtree(home)  # nothing recreates files in it afterwards
        background.wake.set()
        background.thread.join(0.5)
        assert not home.exists()
