"""Deadlines that really stop work.

A sync body with a timeout runs in a helper thread; at the deadline the caller
stops waiting, the run ends TimedOut, and the helper thread gets a
`TaskRunTimeoutError` raised inside it (CPython's async-exception API), which
stops it at its next Python instruction. A body stuck in a C call or
`time.sleep` is abandoned: it can no longer affect the run. Process-based
runners end the worker process when an abandoned thread is still alive after
the run has reported (see `abandoned_threads_alive`).
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
            box.append((True, ctx.run(fn, *args, **kwargs)))
        except BaseException as exc:
            box.append((False, exc))
        finally:
            finished.set()

    worker = threading.Thread(target=target, daemon=True, name="headwater-deadline")
    worker.start()
    if not finished.wait(timeout):
        exc = error()
        _abandon(worker, type(exc))
        raise exc
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


def _abandon(thread: threading.Thread, exc_type: type[BaseException]) -> None:
    ident = thread.ident
    if ident is not None and thread.is_alive():
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(ident), ctypes.py_object(exc_type)
        )
        _abandoned.add(thread)


def abandoned_threads_alive(grace: float = 0.1) -> int:
    """How many timed-out bodies are still running after `grace` seconds."""
    alive = [t for t in list(_abandoned) if t.is_alive()]
    for t in alive:
        t.join(grace / max(1, len(alive)))
    return sum(1 for t in alive if t.is_alive())
