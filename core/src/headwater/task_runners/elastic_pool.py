"""A thread pool that grows when its threads are stuck, not when it is merely busy.

The default task runner must never deadlock when tasks submit other tasks and
wait on them (which is why Prefect made its pool unbounded, issue #14194),
yet a burst of thousands of tiny `.submit()`s should not start thousands of
threads (each costs memory and start-up time, and they only fight over the
GIL). So: up to `core_size` threads start on demand; beyond that, a watcher
adds threads only when queued work has seen no thread free up for
`stall_seconds` (0.1 s): blocked or long-running work, such as tasks sleeping
or waiting on other tasks. Bursts of quick tasks are served by the core
threads; the window is long enough that threads merely waiting for the GIL
behind a burst of submits (they finish something every few milliseconds) do
not count as stalled.

A submitter far ahead of the threads waits for them: once `max_backlog` items are
queued, `submit` waits until half of them are taken, but only while threads are
making progress (so never on threads that are stuck, and never for long). Each
queued run holds memory (about 1 KB), so 100,000 quick `.submit()`s no longer
hold tens of thousands of queued runs at once.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

_STOP = None


class ElasticThreadPool:
    def __init__(
        self,
        max_workers: int,
        core_size: int | None = None,
        stall_seconds: float = 0.1,
        thread_name_prefix: str = "headwater-task",
        held_back: Callable[[], bool] | None = None,
        max_backlog: int = 2000,
    ) -> None:
        self.max_workers = max_workers
        self.core_size = min(max_workers, core_size or min(32, (os.cpu_count() or 1) + 4))
        self.stall_seconds = stall_seconds
        self.prefix = thread_name_prefix
        #: True while threads are held back on purpose (e.g. store backpressure): not a stall
        self.held_back = held_back or (lambda: False)
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._queued = 0
        self.max_backlog = max_backlog
        #: notified when the queue drains to half of `max_backlog`, if a submitter waits
        self._drained = threading.Condition(self._lock)
        self._submitters_waiting = 0
        self._last_progress = time.monotonic()
        self._watcher: threading.Thread | None = None
        self._shutdown = False

    def submit(self, fn: Callable[..., Any], *args: Any) -> cf.Future[Any]:
        future: cf.Future[Any] = cf.Future()
        self.submit_to(future, fn, *args)
        return future

    def submit_to(self, future: Any, fn: Callable[..., Any], *args: Any) -> None:
        """Run `fn(*args)` and settle `future` with its value or exception.

        `future` is anything settled as a `concurrent.futures.Future` is
        (`set_running_or_notify_cancel`, `set_result`, `set_exception`, `cancel`),
        so a runner can hand over its own, lighter future.
        """
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot submit to a pool that has been shut down")
            self._queued += 1
            if self._idle >= self._queued:
                pass  # an idle thread will take it
            elif len(self._threads) < self.core_size:
                self._start_thread()
            elif len(self._threads) < self.max_workers and self._watcher is None:
                self._watcher = threading.Thread(
                    target=self._watch, name=f"{self.prefix}-watcher", daemon=True
                )
                self._watcher.start()
        # one flat tuple per queued item: a burst of 100,000 submits queues 100,000 of them
        self._queue.put((future, fn, *args))
        if self._queued > self.max_backlog:
            self._wait_for_backlog()

    def _wait_for_backlog(self) -> None:
        """Wait while the queue is longer than half of `max_backlog` and threads take
        items from it; return at once if no item finished for `stall_seconds`."""
        with self._lock:
            self._submitters_waiting += 1
            try:
                while self._queued > self.max_backlog // 2 and not self._shutdown:
                    if time.monotonic() - self._last_progress >= self.stall_seconds:
                        return  # threads are stuck or held back: they are not catching up
                    self._drained.wait(self.stall_seconds)
            finally:
                self._submitters_waiting -= 1

    def _start_thread(self) -> None:
        thread = threading.Thread(
            target=self._work, name=f"{self.prefix}-{len(self._threads)}", daemon=True
        )
        self._threads.append(thread)
        thread.start()

    def _work(self) -> None:
        get = self._queue.get
        while True:
            with self._lock:
                self._idle += 1
            item = get()
            with self._lock:
                self._idle -= 1
                if item is not _STOP:
                    self._queued -= 1
                    if self._submitters_waiting and self._queued <= self.max_backlog // 2:
                        self._drained.notify_all()
            if item is _STOP:
                return
            future = item[0]
            if future.set_running_or_notify_cancel():
                try:
                    result = item[1](*item[2:])
                except BaseException as exc:
                    future.set_exception(exc)
                else:
                    future.set_result(result)
            del item, future
            self._last_progress = time.monotonic()

    def _watch(self) -> None:
        """Add threads while queued work is stalled; exit when nothing is queued.

        Growth at most doubles the pool per window, and threads are started
        outside the lock, so starting them never looks like a stall itself.
        """
        while True:
            time.sleep(self.stall_seconds)
            with self._lock:
                if self._shutdown or self._queued <= self._idle:
                    self._watcher = None
                    return
                stalled = time.monotonic() - self._last_progress >= self.stall_seconds
                if not stalled:
                    continue
                if self.held_back():
                    self._last_progress = time.monotonic()
                    continue
                wanted = min(
                    self._queued - self._idle,
                    self.max_workers - len(self._threads),
                    max(self.core_size, len(self._threads)),
                )
            for _ in range(wanted):
                with self._lock:
                    if self._shutdown:
                        return
                    self._start_thread()

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        with self._lock:
            self._shutdown = True
            threads = list(self._threads)
        if cancel_futures:
            drained = []
            while True:
                try:
                    drained.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            for item in drained:
                if item is not _STOP:
                    item[0].cancel()
                    with self._lock:
                        self._queued -= 1
        for _ in threads:
            self._queue.put(_STOP)
        if wait:
            for thread in threads:
                thread.join()
