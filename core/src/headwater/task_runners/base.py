"""The task runner interface: where submitted task runs execute.

A task runner decides *where* a task run executes; the engine decides *what*
happens in it (retries, timeouts, states, logs). The interface is small, like
httpx's transport: `submit()` is the one method to implement, plus
`duplicate()` so each flow run gets its own started copy.

    class InlineTaskRunner(TaskRunner):
        short_name = "inline"

        def duplicate(self):
            return type(self)()

        def submit(self, task, parameters, wait_for=None, dependencies=None):
            call = self.prepare(task, parameters, wait_for, dependencies)
            return CompletedFuture.from_call(call)   # run now, in this thread
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

if TYPE_CHECKING:
    from headwater.engine.task_call import TaskCall
    from headwater.futures import HeadwaterFuture, HeadwaterFutureList
    from headwater.tasks import Task

F = TypeVar("F", bound="HeadwaterFuture[Any]")


class TaskRunner(ABC, Generic[F]):
    """Base class for task runners.

    Subclasses set `short_name` (how users pick the runner by name, e.g.
    `@flow(task_runner="dask")`) and implement `duplicate()` and `submit()`.
    """

    short_name: ClassVar[str] = ""

    def __init__(self) -> None:
        self.logger = logging.getLogger(f"headwater.task_runner.{self.name}")
        self._started = False

    @property
    def name(self) -> str:
        """Prefect's name: the class name, lowercased, without "taskrunner"."""
        return type(self).__name__.lower().replace("taskrunner", "")

    @abstractmethod
    def duplicate(self) -> TaskRunner[F]:
        """A fresh, unstarted copy with the same configuration."""

    @abstractmethod
    def submit(
        self,
        task: Task[Any, Any],
        parameters: dict[str, Any],
        wait_for: Iterable[HeadwaterFuture[Any]] | None = None,
        dependencies: dict[str, set[Any]] | None = None,
    ) -> F:
        """Start a run of `task` with `parameters` and return its future."""

    def prepare(
        self,
        task: Task[Any, Any],
        parameters: dict[str, Any],
        wait_for: Iterable[Any] | None = None,
        dependencies: dict[str, set[Any]] | None = None,
    ) -> TaskCall:
        """Create the task run (recorded as Pending) for a submission.

        Runners call this in `submit()` and then execute `call.run()` (same
        process) or `call.to_remote()` (other processes) wherever they like.
        """
        if not self._started:
            raise RuntimeError("The task runner must be started before submitting work.")
        from headwater.engine.task_call import TaskCall

        return TaskCall.create(task, parameters, wait_for=wait_for, dependencies=dependencies)

    def map(
        self,
        task: Task[Any, Any],
        parameters: dict[str, Any],
        wait_for: Iterable[HeadwaterFuture[Any]] | None = None,
    ) -> HeadwaterFutureList[F]:
        """Submit one run per element of the iterable parameters."""
        from headwater.engine.mapping import expand_map_parameters
        from headwater.futures import HeadwaterFutureList

        wait_for = list(wait_for) if wait_for else None
        futures = [
            self.submit(task, params, wait_for=wait_for)
            for params in expand_map_parameters(task, parameters)
        ]
        return HeadwaterFutureList(futures)

    def __enter__(self) -> TaskRunner[F]:
        if self._started:
            raise RuntimeError("This task runner is already started")
        self._started = True
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._started = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
