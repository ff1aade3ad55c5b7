"""Futures: handles on submitted task runs.

`HeadwaterFuture` is what `.submit()` returns; `.result()` waits and returns
the task's value (or raises its exception), `.state` tells where it is now.
Runners that execute in this process wrap a `concurrent.futures.Future` whose
value is the final `State`; remote runners pass a `finalize` callable that
turns what came back from the worker into the final `State` (once).
"""

from __future__ import annotations

import concurrent.futures as cf
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from headwater.states import State

if TYPE_CHECKING:
    from headwater.store.records import TaskRun

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
        state = self.task_run.state
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
    """Wraps a `concurrent.futures.Future` (threads, processes, anything alike)."""

    def __init__(
        self,
        task_run: TaskRun,
        wrapped: cf.Future[Any],
        finalize: Callable[[Any], State] | None = None,
    ) -> None:
        super().__init__(task_run)
        self.wrapped = wrapped
        self._finalize = finalize
        self._final_state: State | None = None
        self._lock = threading.Lock()

    def wait(self, timeout: float | None = None) -> None:
        if self._final_state is not None:
            return
        cf.wait([self.wrapped], timeout=timeout)
        if self.wrapped.done():
            self._final(block=False)

    def _final(self, block: bool) -> State | None:
        if self._final_state is not None:
            return self._final_state
        if not block and not self.wrapped.done():
            return None
        with self._lock:
            if self._final_state is None:
                self._final_state = _settle(self.task_run, self.wrapped, self._finalize)
        return self._final_state

    def add_done_callback(self, fn: Callable[[HeadwaterFuture[R]], Any]) -> None:
        self.wrapped.add_done_callback(lambda _: fn(self))


def _settle(
    task_run: TaskRun, wrapped: cf.Future[Any], finalize: Callable[[Any], State] | None
) -> State:
    """The final state from a finished wrapped future; runner crashes become Crashed."""
    if wrapped.cancelled():
        from headwater.engine.crashes import cancel_task_run

        return cancel_task_run(task_run)
    try:
        value = wrapped.result()
        return finalize(value) if finalize is not None else value  # type: ignore[no-any-return]
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
