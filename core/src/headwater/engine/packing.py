"""Compact payloads for runners that execute task runs in other processes (Dask, Ray).

The orchestrator pickles each task run (cloudpickle) into bytes and submits
`run_packed`, a module-level function, with them: the engine underneath
(Dask, Ray, ...) ships a small function it caches plus plain bytes it never
has to inspect. A task defined in `__main__` or a test module is pickled by
value only once per runner (`TaskPacker`), together with what the
orchestrator resolved for it (result storage and cache plan, its settings and
home), and unpickled once per worker process (`_TASKS`). The worker runs the
whole engine (retries, timeouts, hooks, log capture) and returns the outcome
as bytes for the orchestrator to replay into its store, so workers need
headwater installed and nothing else: no database, no server, no settings.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from headwater.engine.remote import RemoteTaskCall

#: worker side: task digest -> unpickled Task, so a by-value task is loaded once
_TASKS: dict[bytes, Any] = {}
_MAX_CACHED_TASKS = 512


class PackedCall(NamedTuple):
    """One task run as bytes, the arguments of `run_packed`: `run_packed(*packed)`."""

    #: identifies `task` (a worker unpickles each distinct task once)
    digest: bytes
    #: the task with its result plan and the orchestrator's settings (same bytes per task)
    task: bytes
    #: this run's record and resolved parameters
    call: bytes


class TaskPacker:
    """Orchestrator side: pickles each distinct task (with its result plan and the
    orchestrator's settings) once, each call's arguments per call."""

    def __init__(self) -> None:
        # id(task) -> (task, plan, settings, digest, bytes); the task is kept so its
        # id is never reused; plan and settings are memoised per flow run
        self._tasks: dict[int, tuple[Any, Any, Any, bytes, bytes]] = {}

    def pack(self, remote: RemoteTaskCall) -> PackedCall:
        """The run as bytes; raises if anything in it won't pickle."""
        import cloudpickle

        task, plan, settings = remote.task, remote.results, remote.settings
        entry = self._tasks.get(id(task))
        if (
            entry is None
            or entry[0] is not task
            or entry[1] is not plan
            or entry[2] is not settings
        ):
            task_bytes = cloudpickle.dumps((task, plan, settings))
            digest = hashlib.blake2b(task_bytes, digest_size=16).digest()
            entry = (task, plan, settings, digest, task_bytes)
            self._tasks[id(task)] = entry
        bare = replace(remote, task=None, results=None, settings={})  # type: ignore[arg-type]
        return PackedCall(entry[3], entry[4], dumps(bare, remote.parameters))


_PLAIN = (int, float, str, bytes, bool, type(None))


def _plain(value: Any, depth: int = 0) -> bool:
    """Builtin data all the way down (what plain pickle sends by value)."""
    if isinstance(value, _PLAIN):
        return True
    if depth > 4:
        return False
    t = type(value)
    if t is list or t is tuple:
        return all(_plain(v, depth + 1) for v in value)
    if t is dict:
        return all(type(k) is str and _plain(v, depth + 1) for k, v in value.items())
    return False


def dumps(obj: Any, payload: Any) -> bytes:
    """Pickle `obj`, a headwater record carrying user `payload`.

    When the payload is builtin data, the C pickler does it (about 3x faster
    than cloudpickle's); anything else (user classes, functions, objects from
    `__main__`) goes through cloudpickle, which sends what a worker can't import
    by value.
    """
    import pickle

    if _plain(payload):
        return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    import cloudpickle

    return cloudpickle.dumps(obj)  # type: ignore[no-any-return]


def run_packed(digest: bytes, task_bytes: bytes, call_bytes: bytes) -> bytes:
    """Worker side: run one task run through the engine; return its outcome as bytes.

    Never raises for the task's own errors (they are in the outcome); only a
    payload that can't be loaded here (a module missing on the worker) raises,
    and the orchestrator records that as the task run's failure.
    """
    import cloudpickle

    from headwater.engine.remote import dumps_outcome, run_remote

    packed = _TASKS.get(digest)
    if packed is None:
        packed = cloudpickle.loads(task_bytes)
        if len(_TASKS) >= _MAX_CACHED_TASKS:
            _TASKS.clear()
        _TASKS[digest] = packed
    remote = cloudpickle.loads(call_bytes)
    remote.task, remote.results, remote.settings = packed
    return dumps_outcome(run_remote(remote))


def when_ready(call: Any, then: Any) -> None:
    """Call `then()` now if `call` has no upstream futures, else once they have all finished."""
    from headwater.engine.inputs import upstream_futures

    upstream = upstream_futures(call.parameters, call.wait_for) if call.task_run.task_inputs else []
    if upstream:
        when_all_done(upstream, then)
    else:
        then()


def when_all_done(futures: list[Any], then: Any) -> None:
    """Call `then()` once, in whichever thread finishes the last of `futures`.

    Remote runners hold a submission back until its upstream futures finish,
    without blocking the flow's thread.
    """
    import threading

    remaining = [len(futures)]
    lock = threading.Lock()

    def one_done(_: Any) -> None:
        with lock:
            remaining[0] -= 1
            last = remaining[0] == 0
        if last:
            then()

    for fut in futures:
        try:
            fut.add_done_callback(one_done)
        except NotImplementedError:  # a future type without callbacks: wait in a thread
            threading.Thread(target=_wait_then, args=(fut, one_done), daemon=True).start()


def _wait_then(future: Any, callback: Any) -> None:
    future.wait()
    callback(future)
