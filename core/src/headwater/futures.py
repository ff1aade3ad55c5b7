"""Futures: handles on submitted task runs.

`HeadwaterFuture` is what `.submit()` returns; `.result()` waits and returns
the task's value (or raises its exception), `.state` tells where it is now.
Runners that execute in this process wrap a `concurrent.futures.Future` whose
value is the final `State`; remote runners pass a `finalize` callable that
turns what came back from the worker into the final `State` (once).
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from headwater.states import State

if TYPE_CHECKING:
    from headwater.history.records import TaskRun

R = TypeVar("R")
F = TypeVar("F", bound="HeadwaterFuture[Any]")

__all__ = [
    "DoneAndNotDoneFutures",
    "HeadwaterConcurrentFuture",
    "HeadwaterFuture",
    "HeadwaterFutureList",
    "PrefectFuture",
    "PrefectFutureList",
    "as_completed",
    "resolve_futures_to_results",
    "resolve_futures_to_states",
    "wait",
]


class HeadwaterFuture(Generic[R]):
    """A submitted task run. Subclasses implement `wait()` and `_final()`."""

    __slots__ = ("__weakref__", "task_run")

    def __init__(self, task_run: TaskRun) -> None:
        self.task_run = task_run

    @property
    def task_run_id(self) -> str:
        return self.task_run.id

    @property
    def state(self) -> State:
        """The final state if done, else the latest state known here."""
        final = self._final(block=False)
        if final is not None:
            return final
        state: State | None = self.task_run.state
        if state is None:
            from headwater.states import Pending

            return Pending()
        return state

    def wait(self, timeout: float | None = None) -> None:
        """Wait until the run is final, or `timeout` seconds pass (no error then)."""
        raise NotImplementedError

    def done(self) -> bool:
        return self._final(block=False) is not None

    def _final(self, block: bool) -> State | None:
        """The final state, or None if not done (when not blocking)."""
        raise NotImplementedError

    def result(self, timeout: float | None = None, raise_on_failure: bool = True) -> R:
        self.wait(timeout)
        final = self._final(block=False)
        if final is None:
            raise TimeoutError(
                f"Task run {self.task_run.name!r} did not finish within {timeout} seconds"
            )
        return final.result(raise_on_failure=raise_on_failure)  # type: ignore[no-any-return]

    def add_done_callback(self, fn: Callable[[HeadwaterFuture[R]], Any]) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(task_run={self.task_run.name!r}, state={self.state!r})"


class HeadwaterConcurrentFuture(HeadwaterFuture[R]):
    """A run executing in this process or behind a `concurrent.futures.Future`.

    Two ways to complete it: the runner sets the final state on it directly
    (`set_result` / `set_exception`, as a `concurrent.futures.Future` is set:
    the thread runner does), or it wraps a `concurrent.futures.Future`
    (`wrapped`) whose value, after `finalize`, is the final state (processes,
    Dask, Ray). A flow can hold 100,000 of these, so a directly-set one is
    small: no lock, condition or callback list of its own once it is done;
    an `Event` is made only for a caller that waits before the run finishes.
    """

    __slots__ = ("_callbacks", "_final_state", "_source", "_waiter")

    def __init__(
        self,
        task_run: TaskRun,
        wrapped: cf.Future[Any] | None = None,
        finalize: Callable[[Any], State] | None = None,
    ) -> None:
        super().__init__(task_run)
        #: (wrapped, finalize) until the wrapped future is done; None when set directly
        self._source = (wrapped, finalize) if wrapped is not None else None
        self._final_state: State | None = None
        self._waiter: threading.Event | None = None
        #: None, one callback, or a list of them
        self._callbacks: Any = None
        if wrapped is not None:
            wrapped.add_done_callback(self._wrapped_done)

    @property
    def wrapped(self) -> cf.Future[Any] | None:
        """The runner's future this one completes from, until it is done."""
        source = self._source
        return source[0] if source is not None else None

    # --- waiting -------------------------------------------------------------------
    def wait(self, timeout: float | None = None) -> None:
        if self._final_state is not None:
            return
        with _lock:
            if self._final_state is not None:
                return
            waiter = self._waiter
            if waiter is None:
                waiter = self._waiter = threading.Event()
        waiter.wait(timeout)

    def _final(self, block: bool) -> State | None:
        if self._final_state is None and block:
            self.wait()
        return self._final_state

    def add_done_callback(self, fn: Callable[[HeadwaterFuture[R]], Any]) -> None:
        if self._final_state is None:
            with _lock:
                if self._final_state is None:
                    # one callback (the usual: the flow's pending count) is held as it is
                    held = self._callbacks
                    if held is None:
                        self._callbacks = fn
                    elif type(held) is list:
                        held.append(fn)
                    else:
                        self._callbacks = [held, fn]
                    return
        fn(self)

    # --- completing (the runner's side, named as on concurrent.futures.Future) ------
    def set_running_or_notify_cancel(self) -> bool:
        """False if the run was cancelled before it started (then it must not run)."""
        return self._final_state is None

    def set_result(self, state: State) -> None:
        self._set_final(state)

    def set_exception(self, exc: BaseException) -> None:
        """The runner itself failed running it: the run ends Crashed."""
        from headwater.engine.crashes import crash_task_run

        self._set_final(crash_task_run(self.task_run, exc))

    def cancel(self) -> bool:
        """Cancel a run that has not finished; it ends Cancelled."""
        if self._final_state is not None:
            return False
        from headwater.engine.crashes import cancel_task_run

        self._set_final(cancel_task_run(self.task_run))
        return True

    def _wrapped_done(self, wrapped: cf.Future[Any]) -> None:
        source = self._source
        self._set_final(_settle(self.task_run, wrapped, source[1] if source else None))
        self._source = None  # a finished run keeps its state, not the runner's future

    def _set_final(self, state: State) -> None:
        with _lock:
            if self._final_state is not None:
                return
            self._final_state = state
            waiter, self._waiter = self._waiter, None
            callbacks, self._callbacks = self._callbacks, None
        if waiter is not None:
            waiter.set()
        if callbacks is not None:
            for fn in callbacks if type(callbacks) is list else (callbacks,):
                try:
                    fn(self)
                except Exception:
                    logging.getLogger("headwater.futures").exception(
                        f"A done callback of task run {self.task_run.name!r} raised"
                    )


#: guards the lazy waiter / callback list of every future (held for a few
#: instructions, never while calling out)
_lock = threading.Lock()


def _settle(
    task_run: TaskRun, wrapped: cf.Future[Any], finalize: Callable[[Any], State] | None
) -> State:
    """The final state from a finished wrapped future; runner crashes become Crashed."""
    if wrapped.cancelled():
        from headwater.engine.crashes import cancel_task_run

        return cancel_task_run(task_run)
    try:
        value = wrapped.result()
        return finalize(value) if finalize is not None else value
    except BaseException as exc:  # the runner itself failed (worker died, pickling, ...)
        from headwater.engine.crashes import crash_task_run

        return crash_task_run(task_run, exc)


# Prefect's name
PrefectFuture = HeadwaterFuture
PrefectConcurrentFuture = HeadwaterConcurrentFuture


class HeadwaterFutureList(list[F]):
    """What `.map()` returns: a list of futures with `.wait()` and `.result()`."""

    def wait(self, timeout: float | None = None) -> None:
        wait(self, timeout=timeout)

    def result(self, timeout: float | None = None, raise_on_failure: bool = True) -> list[Any]:
        try:
            for fut in as_completed(self, timeout=timeout):
                if raise_on_failure:
                    state = fut.state
                    if not state.is_completed():
                        fut.result(raise_on_failure=True)
        except TimeoutError as exc:
            raise TimeoutError(f"Timed out waiting for mapped futures: {exc}") from None
        return [f.result(raise_on_failure=raise_on_failure) for f in self]


PrefectFutureList = HeadwaterFutureList


class DoneAndNotDoneFutures(NamedTuple):
    done: set[HeadwaterFuture[Any]]
    not_done: set[HeadwaterFuture[Any]]


def wait(
    futures: Iterable[HeadwaterFuture[Any]], timeout: float | None = None
) -> DoneAndNotDoneFutures:
    """Wait for all `futures`, at most `timeout` seconds in all; never raises on timeout."""
    pending = set(futures)
    done: set[HeadwaterFuture[Any]] = set()
    deadline = None if timeout is None else time.monotonic() + timeout
    for fut in list(pending):
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        fut.wait(remaining)
        if fut.done():
            done.add(fut)
            pending.discard(fut)
    return DoneAndNotDoneFutures(done, pending)


def as_completed(
    futures: Iterable[HeadwaterFuture[Any]], timeout: float | None = None
) -> Iterator[HeadwaterFuture[Any]]:
    """Yield futures as they finish; TimeoutError if some are unfinished at `timeout`."""
    import queue

    pending = list(dict.fromkeys(futures))
    total = len(pending)
    finished: queue.SimpleQueue[HeadwaterFuture[Any]] = queue.SimpleQueue()
    for fut in pending:
        fut.add_done_callback(finished.put)
    deadline = None if timeout is None else time.monotonic() + timeout
    yielded: set[int] = set()
    while len(yielded) < total:
        remaining = None if deadline is None else deadline - time.monotonic()
        try:
            if remaining is not None and remaining <= 0:
                raise queue.Empty
            fut = finished.get(timeout=remaining)
        except queue.Empty:
            raise TimeoutError(f"{total - len(yielded)} (of {total}) futures unfinished") from None
        if id(fut) not in yielded:
            yielded.add(id(fut))
            fut._final(block=True)
            yield fut


def _visit(expr: Any, fn: Callable[[Any], Any], depth: int = 0) -> Any:
    """Apply `fn` to every future inside lists, tuples, sets and dicts (not inside quote())."""
    if isinstance(expr, HeadwaterFuture):
        return fn(expr)
    if depth > 8:
        return expr
    t = type(expr)
    if t is list:
        return [_visit(x, fn, depth + 1) for x in expr]
    if t is tuple:
        return tuple(_visit(x, fn, depth + 1) for x in expr)
    if t is dict:
        return {k: _visit(v, fn, depth + 1) for k, v in expr.items()}
    if t is set or t is frozenset:
        return t(_visit(x, fn, depth + 1) for x in expr)
    return expr


def resolve_futures_to_states(expr: Any) -> Any:
    return _visit(expr, lambda f: (f.wait(), f.state)[1])


def resolve_futures_to_results(expr: Any) -> Any:
    return _visit(expr, lambda f: f.result())
