"""`AsyncTransaction` and `atransaction()`: the `async with` form of a transaction.

Same procedures as the sync form (base.py); here hooks that are coroutine
functions are awaited on the running loop, sync hooks and store I/O run in a
worker thread so the loop keeps serving other tasks.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterator, Callable, Generator
from contextlib import asynccontextmanager
from typing import Any, NoReturn

from headwater.transactions.base import (
    BaseTransaction,
    CommitMode,
    IsolationLevel,
    Step,
    TransactionState,
    _active,
)
from headwater.transactions.sync import resolve_options

__all__ = ["AsyncTransaction", "atransaction"]


class AsyncTransaction(BaseTransaction):
    """A transaction opened with `async with` (see `atransaction()`)."""

    async def __aenter__(self) -> AsyncTransaction:
        self.prepare_transaction()
        await self.begin()
        self._token = _active.set(self)
        return self

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self._token is None:
            raise RuntimeError("Asymmetric use of context. Context exit called without an enter.")
        try:
            if exc_type is not None:
                await self.rollback()
                return
            if self.commit_mode == CommitMode.EAGER:
                await self.commit()
            if self.get_parent() is not None:
                return
            if self.commit_mode == CommitMode.OFF:
                await self.rollback()
            elif self.commit_mode == CommitMode.LAZY:
                await self.commit()
        finally:
            await self.reset()

    def __enter__(self) -> NoReturn:
        raise NotImplementedError(
            "AsyncTransaction does not support the `with` statement. "
            "Use the `async with` statement instead."
        )

    def __exit__(self, *exc_info: Any) -> NoReturn:
        raise NotImplementedError(
            "AsyncTransaction does not support the `with` statement. "
            "Use the `async with` statement instead."
        )

    async def begin(self) -> None:
        if self._serializable():
            self.logger.debug(f"Acquiring lock for transaction {self.key!r}")
            await self.store.aacquire_lock(self.key, holder=self._holder)
            self._locked = True
        await asyncio.to_thread(self._after_lock)

    async def read(self) -> Any:
        if self.store is not None and self.key:
            return await self.store.aread(key=self.key, holder=self._holder)
        return None

    async def reset(self) -> None:
        parent = self.get_parent()
        if parent is not None:
            parent.add_child(self)
        if self._token is not None:
            _active.reset(self._token)
            self._token = None
        if parent is not None and self.state == TransactionState.ROLLED_BACK:
            rolled = parent.rollback()
            if inspect.isawaitable(rolled):
                await rolled

    async def commit(self) -> bool:
        return await self._drive(self._commit_steps())

    async def rollback(self) -> bool:
        return await self._drive(self._rollback_steps())

    async def run_hook(self, hook: Callable[..., Any], hook_type: str) -> None:
        name, log = self._hook_started(hook, hook_type)
        try:
            if inspect.iscoroutinefunction(hook):
                await hook(self)
            else:
                await asyncio.to_thread(hook, self)
        except Exception:
            self._hook_ended(name, hook_type, log, failed=True)
            raise
        self._hook_ended(name, hook_type, log, failed=False)

    async def _drive(self, steps: Generator[Step, Any, bool]) -> bool:
        reply: Any = None
        error: BaseException | None = None
        while True:
            try:
                step = steps.send(reply) if error is None else steps.throw(error)
            except StopIteration as stop:
                return bool(stop.value)
            reply, error = None, None
            kind, arg = step
            try:
                if kind == "hook":
                    await self.run_hook(*arg)
                elif isinstance(arg, AsyncTransaction):
                    reply = await arg._drive(
                        arg._commit_steps() if kind == "commit" else arg._rollback_steps()
                    )
                else:
                    reply = arg._drive_blocking(
                        arg._commit_steps() if kind == "commit" else arg._rollback_steps()
                    )
            except Exception as exc:
                error = exc


@asynccontextmanager
async def atransaction(
    key: str | None = None,
    store: Any = None,
    commit_mode: CommitMode | None = None,
    isolation_level: IsolationLevel | None = None,
    overwrite: bool = False,
    write_on_commit: bool = True,
    logger: logging.Logger | logging.LoggerAdapter[Any] | None = None,
    *,
    lock_manager: Any = None,
) -> AsyncIterator[AsyncTransaction]:
    """The async form of `transaction()`: `async with atransaction(key=...) as txn:`."""
    store, logger = resolve_options(key, store, lock_manager, logger)
    async with AsyncTransaction(
        key=key,
        store=store,
        commit_mode=commit_mode,
        isolation_level=isolation_level,
        overwrite=overwrite,
        write_on_commit=write_on_commit,
        logger=logger,
    ) as txn:
        yield txn
