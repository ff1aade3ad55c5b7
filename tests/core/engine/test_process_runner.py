"""The process runner keeps engine behaviour that depends on pickled tasks."""

from __future__ import annotations

import os
from pathlib import Path

import cloudpickle
from headwater import flow, task
from headwater.options import NotSet
from headwater.task_runners import ProcessPoolTaskRunner


def test_not_set_survives_pickling() -> None:
    assert cloudpickle.loads(cloudpickle.dumps(NotSet)) is NotSet


def record_call(marker_dir: str, x: int) -> int:
    Path(marker_dir, f"{os.getpid()}-{x}-{len(os.listdir(marker_dir))}").touch()
    return x * 2


def test_cache_hits_across_worker_processes(tmp_path: Path) -> None:
    markers = tmp_path / "calls"
    markers.mkdir()
    cached = task(cache_key_fn=lambda ctx, args: f"double-{args['x']}")(record_call)

    @flow(task_runner=ProcessPoolTaskRunner(max_workers=1))
    def doubled() -> list[object]:
        first = cached.submit(str(markers), 21).result()
        second = cached.submit(str(markers), 21, return_state=True)
        return [first, second.name, second.result()]

    assert doubled() == [42, "Cached", 42]
    assert len(list(markers.iterdir())) == 1
