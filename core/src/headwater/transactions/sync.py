"""`Transaction` and `transaction()`: the `with` form of a transaction (see base.py)."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from headwater.transactions.base import (
    _FINAL,
    BaseTransaction,
    CommitMode,
    IsolationLevel,
    TransactionState,
    _active,
)
from headwater.utilities.asyncutils import call_maybe_async

__all__ = ["Transaction", "resolve_options", "transaction"]


class Transaction(BaseTransaction):
    """A transaction opened with `with` (see `transaction()`)."""

    def __enter__(self) -> Transaction:
        self.prepare_transaction()
        self.begin()
        self._token = _active.set(self)
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self._token is None:
            raise RuntimeError("Asymmetric use of context. Context exit called without an enter.")
        try:
            if exc_type is not None:
                self.rollback()
                return
            if self.commit_mode == CommitMode.EAGER:
                self.commit()
            if self.get_parent() is not None:
                return  # the parent takes responsibility
            if self.commit_mode == CommitMode.OFF:
                self.rollback()  # no one committed it
            elif self.commit_mode == CommitMode.LAZY:
                self.commit()
        finally:
            self.reset()

    def begin(self) -> None:
        if self._serializable():
            self.logger.debug(f"Acquiring lock for transaction {self.key!r}")
            self.store.acquire_lock(self.key, holder=self._holder)
            self._locked = True
        self._after_lock()

    def read(self) -> Any:
        """The committed record under this transaction's key (a `ResultRecord`), or None."""
        if self.store is not None and self.key:
            return self.store.read(key=self.key, holder=self._holder)
        return None

    def reset(self) -> None:
        """Leave the context: hand this transaction to its parent (rolling the parent back
        if this one rolled back)."""
        parent = self.get_parent()
        if parent is not None:
            parent.add_child(self)
        if self._token is not None:
            _active.reset(self._token)
            self._token = None
        if parent is not None and self.state == TransactionState.ROLLED_BACK:
            parent.rollback_blocking()
        elif parent is None and self.state not in _FINAL:
            self._unlock()  # interrupted before it could commit or roll back
            self._close_key()

    def commit(self) -> bool:
        """Commit children, run commit hooks, write the staged record; False if it was
        already committed or rolled back, or committing failed (then it is rolled back)."""
        return self._drive_blocking(self._commit_steps())

    def rollback(self) -> bool:
        """Run rollback hooks (newest first) and roll back children; False if already final."""
        return self._drive_blocking(self._rollback_steps())

    def run_hook(self, hook: Callable[..., Any], hook_type: str) -> None:
        name, log = self._hook_started(hook, hook_type)
        try:
            call_maybe_async(hook, self)
        except Exception:
            self._hook_ended(name, hook_type, log, failed=True)
            raise
        self._hook_ended(name, hook_type, log, failed=False)


def resolve_options(key: str | None, store: Any, lock_manager: Any, logger: Any) -> tuple[Any, Any]:
    """The store (the default one for a keyed transaction) and the logger (the run's, when
    inside a run)."""
    if lock_manager is not None:
        from headwater.persistence.result_store import ResultStore

        store = copy.copy(store) if store is not None else ResultStore()
        store.lock_manager = lock_manager
    elif key and store is None:
        from headwater.persistence.result_store import get_result_store

        store = get_result_store()
    if logger is None:
        from headwater.context import _flow_run, _task_run

        ctx: Any = _task_run.get() or _flow_run.get()
        if ctx is not None:
            from headwater.logging import get_run_logger

            logger = get_run_logger(ctx)
    return store, logger


@contextmanager
def transaction(
    key: str | None = None,
    store: Any = None,
    commit_mode: CommitMode | None = None,
    isolation_level: IsolationLevel | None = None,
    overwrite: bool = False,
    write_on_commit: bool = True,
    logger: logging.Logger | logging.LoggerAdapter[Any] | None = None,
    *,
    lock_manager: Any = None,
) -> Iterator[Transaction]:
    """Open a transaction: commits when the block ends (or its outermost parent does),
    rolls back if the block raises.

    `key` names the record written at commit (in `store`, the default result storage when
    None); a later transaction with the same key begins committed unless `overwrite`.
    `lock_manager` (headwater's shorthand) gives the store a lock manager for SERIALIZABLE.
    """
    store, logger = resolve_options(key, store, lock_manager, logger)
    with Transaction(
        key=key,
        store=store,
        commit_mode=commit_mode,
        isolation_level=isolation_level,
        overwrite=overwrite,
        write_on_commit=write_on_commit,
        logger=logger,
    ) as txn:
        yield txn
