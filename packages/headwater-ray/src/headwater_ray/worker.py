"""The bytes that travel to a Ray worker, and the one function that runs them there.

The orchestrator pickles each task run (cloudpickle) into compact bytes and
submits `run_packed`, a module-level remote function Ray exports once, with
them: Ray passes small bytes inline and never has to inspect them. A task
defined in `__main__` or a test module is pickled by value only once per
runner (`TaskPacker`) and unpickled once per worker (`_TASKS`). The worker
runs the whole engine (retries, timeouts, hooks, log capture) and returns
the outcome as bytes for the orchestrator to replay into its store, so
workers need headwater installed and nothing else: no database, no server,
no settings.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from headwater.engine.remote import RemoteTaskCall

#: worker side: task digest -> unpickled Task, so a by-value task is loaded once
_TASKS: dict[bytes, Any] = {}
_MAX_CACHED_TASKS = 512


class TaskPacker:
    """Orchestrator side: pickles each distinct task once, each call's arguments per call."""

    def __init__(self) -> None:
        # id(task) -> (task, digest, bytes); the task is kept so its id is never reused
        self._tasks: dict[int, tuple[Any, bytes, bytes]] = {}

    def pack(self, remote: RemoteTaskCall) -> tuple[bytes, bytes, bytes]:
        """`(task digest, task bytes, call bytes)`; raises if anything won't pickle."""
        import cloudpickle

        entry = self._tasks.get(id(remote.task))
        if entry is None or entry[0] is not remote.task:
            task_bytes = cloudpickle.dumps(remote.task)
            digest = hashlib.blake2b(task_bytes, digest_size=16).digest()
            entry = (remote.task, digest, task_bytes)
            self._tasks[id(remote.task)] = entry
        call_bytes = cloudpickle.dumps(replace(remote, task=None))
        return entry[1], entry[2], call_bytes


def run_packed(digest: bytes, task_bytes: bytes, call_bytes: bytes) -> bytes:
    """Worker side: run one task run through the engine; return its outcome as bytes.

    Never raises for the task's own errors (they are in the outcome); only a
    payload that can't be loaded here (a module missing on the worker) raises,
    and the orchestrator records that as the task run's failure.
    """
    import cloudpickle
    from headwater.engine.remote import dumps_outcome, run_remote

    task = _TASKS.get(digest)
    if task is None:
        task = cloudpickle.loads(task_bytes)
        if len(_TASKS) >= _MAX_CACHED_TASKS:
            _TASKS.clear()
        _TASKS[digest] = task
    remote = cloudpickle.loads(call_bytes)
    remote.task = task
    return dumps_outcome(run_remote(remote))
