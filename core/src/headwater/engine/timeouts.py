"""Deadlines that really stop work.

A sync body with a timeout runs in a helper thread; at the deadline the caller
stops waiting and the run ends TimedOut (the caller raises the run's
`TaskRunTimeoutError` / `FlowRunTimeoutError`, as Prefect does). Inside the
helper thread a `DeadlineStop` is raised (CPython's async-exception API).
`DeadlineStop` derives from BaseException, so a body's `except Exception`
cannot swallow it, and it is raised again every `REDELIVERY_INTERVAL` seconds
while the thread lives, so a body that catches it anyway is still stopped at
its next attempt to go on. A body stuck in a C call or `time.sleep` is
abandoned until that call returns: it can no longer affect the run.
Process-based runners end the worker process when an abandoned thread is
still alive after the run has reported (see `abandoned_threads_alive`).
"""

from __future__ import annotations

import asyncio
import contextvars
import ctypes
import threading
import weakref
from collections.abc import Callable, Coroutine
from typing import Any

_abandoned: weakref.WeakSet[threading.Thread] = weakref.WeakSet()

#: seconds between deliveries of the stop to a timed-out body that is still running
REDELIVERY_INTERVAL = 0.05


class DeadlineStop(BaseException):
    """Raised inside a timed-out body's thread to stop it. Not an `Exception`, so the
    body's own `except Exception` handlers let it through; users never see it (the
    caller raises the run's timeout error)."""


def call_with_timeout(
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    timeout: float,
    error: Callable[[], BaseException],
) -> Any:
    """`fn(*args, **kwargs)`, or raise `error()` once `timeout` seconds pass."""
    ctx = contextvars.copy_context()
    box: list[Any] = []
    finished = threading.Event()

    def target() -> None:
        try:
            try:
                outcome = (True, ctx.run(fn, *args, **kwargs))
            except BaseException as exc:
                outcome = (False, exc)
            finished.set()  # first: ends the redelivery of the stop
            box.append(outcome)
        except DeadlineStop:
            finished.set()  # a late redelivery: the caller has already gone

    worker = threading.Thread(target=target, daemon=True, name="headwater-deadline")
    worker.start()
    try:
        done = finished.wait(timeout)
    except BaseException:  # Ctrl-C while waiting: stop the body too
        _abandon(worker, finished)
        raise
    if not done:
        _abandon(worker, finished)
        raise error()
    ok, value = box[0]
    if ok:
        return value
    raise value


async def await_with_timeout(
    coro: Coroutine[Any, Any, Any], timeout: float, error: Callable[[], BaseException]
) -> Any:
    try:
        return await asyncio.wait_for(coro, timeout)
    except asyncio.TimeoutError:
        raise error() from None


def _abandon(thread: threading.Thread, finished: threading.Event) -> None:
    """Raise `DeadlineStop` in `thread`, again and again until its body has ended."""
    if thread.ident is None or not thread.is_alive():
        return
    _abandoned.add(thread)
    stopper = threading.Thread(
        target=_stop_until_finished,
        args=(thread, finished),
        daemon=True,
        name="headwater-deadline-stopper",
    )
    stopper.start()


def _stop_until_finished(thread: threading.Thread, finished: threading.Event) -> None:
    ident = ctypes.c_ulong(thread.ident or 0)
    stop = ctypes.py_object(DeadlineStop)
    while not finished.is_set() and thread.is_alive():
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ident, stop)
        finished.wait(REDELIVERY_INTERVAL)


def abandoned_threads_alive(grace: float = 0.1) -> int:
    """How many timed-out bodies are still running after `grace` seconds."""
    alive = [t for t in list(_abandoned) if t.is_alive()]
    for t in alive:
        t.join(grace / max(1, len(alive)))
    return sum(1 for t in alive if t.is_alive())
