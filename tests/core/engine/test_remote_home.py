"""Runs in worker processes persist and read results where the orchestrator would.

A worker process has its own user and home; the orchestrating flow resolved its
HEADWATER_HOME and result storage, and those travel with each run. The worker
here is made to look like another machine's: its initializer points HOME at an
empty directory and drops HEADWATER_HOME.
"""

from __future__ import annotations

import os
from pathlib import Path

from headwater import flow, task
from headwater.task_runners import ProcessPoolTaskRunner


def _become_another_user(home: str) -> None:
    os.environ["HOME"] = home
    os.environ.pop("HEADWATER_HOME", None)


@task(cache_key_fn=lambda ctx, params: f"remote-home-{params['x']}")
def cached_double(x: int) -> int:
    return x * 2


@task
def plain_double(x: int) -> int:
    return x * 2


def test_process_worker_caches_under_the_orchestrators_home(
    tmp_path: Path, headwater_home: Path
) -> None:
    worker_home = tmp_path / "worker-user"
    worker_home.mkdir()

    def states() -> tuple[int, str]:
        @flow(
            task_runner=ProcessPoolTaskRunner(
                max_workers=1, initializer=_become_another_user, initargs=(str(worker_home),)
            )
        )
        def doubled() -> tuple[int, str]:
            state = cached_double.submit(21, return_state=True)
            return state.result(), state.name

        return doubled()

    assert states() == (42, "Completed")
    assert (headwater_home / "storage" / "remote-home-21").exists()
    assert states() == (42, "Cached")
    assert not (worker_home / ".headwater").exists()


def test_process_worker_persists_into_the_flows_result_storage(tmp_path: Path) -> None:
    worker_home = tmp_path / "worker-user"
    worker_home.mkdir()
    results = tmp_path / "flow-results"

    @flow(
        persist_result=True,
        result_storage=str(results),
        task_runner=ProcessPoolTaskRunner(
            max_workers=1, initializer=_become_another_user, initargs=(str(worker_home),)
        ),
    )
    def persisted() -> int:
        return plain_double.submit(5).result()

    assert persisted() == 10
    task_results = [p for p in results.iterdir() if not p.name.startswith("flow-run-")]
    assert len(task_results) == 1, list(results.iterdir())
    assert not (worker_home / ".headwater").exists()
