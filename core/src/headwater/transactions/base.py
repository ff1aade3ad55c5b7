"""Transactions: a group of work that commits together or rolls back together.

`with transaction(key=...) as txn:` opens one. Task runs inside it join it as
children: their results are written and their `on_commit` hooks run when the
outermost transaction commits; if anything in it fails, every staged child's
`on_rollback` hooks run (newest first) and nothing is written. A keyed
transaction whose record is already stored begins COMMITTED (`is_committed()`
is true and it writes nothing again): that is what makes keyed blocks
idempotent across runs and processes. SERIALIZABLE isolation takes the store
lock manager's lock on the key from begin to commit or rollback, so two
processes on one key take turns.

The commit and rollback procedures are written once, as generators that yield
the steps needing a driver (run a hook, commit or roll back a child); the sync
`Transaction` and the async `AsyncTransaction` drive them their own way.
"""

from __future__ import annotations

import contextvars
import copy
import enum
import logging
import uuid
from collections.abc import Callable, Generator
from typing import Any, ClassVar, TypeVar

from headwater.exceptions import ConfigurationError
from headwater.utilities.asyncutils import call_maybe_async

__all__ = [
    "BaseTransaction",
    "CommitMode",
    "IsolationLevel",
    "TransactionState",
    "get_transaction",
]


class IsolationLevel(str, enum.Enum):
    READ_COMMITTED = "READ_COMMITTED"
    SERIALIZABLE = "SERIALIZABLE"


class CommitMode(str, enum.Enum):
    EAGER = "EAGER"
    LAZY = "LAZY"
    OFF = "OFF"


class TransactionState(str, enum.Enum):
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    STAGED = "STAGED"
    COMMITTED = "COMMITTED"
    ROLLED_BACK = "ROLLED_BACK"


_NOTSET: Any = object()
_FINAL = (TransactionState.ROLLED_BACK, TransactionState.COMMITTED)
_active: contextvars.ContextVar[BaseTransaction | None] = contextvars.ContextVar(
    "headwater_transaction", default=None
)

E = TypeVar("E", bound=enum.Enum)

#: a step a commit or rollback asks its driver to do
Step = tuple[str, Any]


def _option(kind: type[E], value: Any, name: str) -> E | None:
    if value is None or isinstance(value, kind):
        return value
    try:
        return kind(getattr(value, "value", value))
    except ValueError:
        choices = ", ".join(f"{kind.__name__}.{m.name}" for m in kind)
        raise ValueError(f"{name}={value!r} is not one of {choices}") from None


class BaseTransaction:
    """The state of a transaction, and what the sync and async forms share."""

    __var__: ClassVar[contextvars.ContextVar[BaseTransaction | None]] = _active

    def __init__(
        self,
        key: str | None = None,
        store: Any = None,
        commit_mode: CommitMode | None = None,
        isolation_level: IsolationLevel | None = IsolationLevel.READ_COMMITTED,
        overwrite: bool = False,
        write_on_commit: bool = True,
        logger: logging.Logger | logging.LoggerAdapter[Any] | None = None,
    ) -> None:
        if key is not None and (not isinstance(key, str) or not key):
            raise ValueError(f"A transaction key must be a non-empty string, got {key!r}")
        self.key = key
        self.store = store
        self.commit_mode = _option(CommitMode, commit_mode, "commit_mode")
        self.isolation_level = _option(IsolationLevel, isolation_level, "isolation_level")
        self.overwrite = overwrite
        self.write_on_commit = write_on_commit
        self.logger: Any = logger or logging.getLogger("headwater.transactions")
        self.state = TransactionState.PENDING
        self.children: list[BaseTransaction] = []
        self.on_commit_hooks: list[Callable[..., Any]] = []
        self.on_rollback_hooks: list[Callable[..., Any]] = []
        self._stored_values: dict[str, Any] = {}
        self._staged_value: Any = None
        #: (storage, key, bytes) a task run serialised at completion, written at commit
        self._staged_writes: list[tuple[Any, str, bytes]] | None = None
        self._holder_id: str | None = None
        self._token: contextvars.Token[BaseTransaction | None] | None = None
        self._entered = False
        self._parent: BaseTransaction | None = None
        self._locked = False
        self._open_key: str | None = None

    @property
    def _holder(self) -> str:
        """Who holds this transaction's locks: made on first use (a uuid costs a syscall)."""
        if self._holder_id is None:
            self._holder_id = str(uuid.uuid4())
        return self._holder_id

    @_holder.setter
    def _holder(self, value: str) -> None:
        self._holder_id = value

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(key={self.key!r}, state={self.state.value}, "
            f"isolation_level={getattr(self.isolation_level, 'value', None)})"
        )

    # --- values shared inside the transaction ---------------------------------------
    def set(self, name: str, value: Any) -> None:
        """Store `value` under `name` for later code in the transaction (and its hooks)."""
        self._stored_values[name] = value

    def get(self, name: str, default: Any = _NOTSET) -> Any:
        """A copy of the value stored under `name`, looked up in parents when unset here."""
        if name in self._stored_values:
            return copy.deepcopy(self._stored_values[name])
        parent = self.get_parent()
        if parent is not None:
            return parent.get(name, default)
        if default is not _NOTSET:
            return default
        raise ValueError(
            f"Could not retrieve value for unknown key: {name!r}; set it first with "
            f"txn.set({name!r}, value) or pass a default: txn.get({name!r}, default)"
        )

    # --- state ----------------------------------------------------------------------
    def is_committed(self) -> bool:
        return self.state == TransactionState.COMMITTED

    def is_rolled_back(self) -> bool:
        return self.state == TransactionState.ROLLED_BACK

    def is_staged(self) -> bool:
        return self.state == TransactionState.STAGED

    def is_pending(self) -> bool:
        return self.state == TransactionState.PENDING

    def is_active(self) -> bool:
        return self.state == TransactionState.ACTIVE

    def add_child(self, transaction: BaseTransaction) -> None:
        self.children.append(transaction)

    def get_parent(self) -> BaseTransaction | None:
        if self._entered:
            return self._parent
        active = _active.get()
        return None if active is self else active

    @classmethod
    def get_active(cls) -> BaseTransaction | None:
        return _active.get()

    def stage(
        self,
        value: Any,
        on_rollback_hooks: list[Callable[..., Any]] | None = None,
        on_commit_hooks: list[Callable[..., Any]] | None = None,
    ) -> None:
        """Stage `value` to be written at commit, with hooks for commit and rollback."""
        if self.state != TransactionState.COMMITTED:
            self._staged_value = value
            self.on_rollback_hooks += on_rollback_hooks or []
            self.on_commit_hooks += on_commit_hooks or []
            self.state = TransactionState.STAGED

    # --- begin ----------------------------------------------------------------------
    def prepare_transaction(self) -> None:
        """Inherit unset options from the parent and check they can work together."""
        if self._token is not None:
            raise RuntimeError("Context already entered. Context enter calls cannot be nested.")
        parent = _active.get()
        self._parent = parent
        self._entered = True
        if self.commit_mode is None:
            self.commit_mode = parent.commit_mode if parent else CommitMode.LAZY
        if self.isolation_level is None:
            self.isolation_level = (
                parent.isolation_level if parent else IsolationLevel.READ_COMMITTED
            )
        if (
            self.store is not None
            and self.key
            and not self.store.supports_isolation_level(self.isolation_level)
        ):
            raise ConfigurationError(
                f"Isolation level {self._level()} is not supported by the store of "
                f"transaction {self.key!r}: it has no lock manager. Pass one, e.g. "
                "store=ResultStore(lock_manager=FileSystemLockManager(lock_files_directory=...))"
                " (headwater.locking.filesystem), or MemoryLockManager() for threads of one process."
            )
        self.state = TransactionState.ACTIVE

    def _serializable(self) -> bool:
        return bool(
            self.store is not None
            and self.key
            and self.isolation_level == IsolationLevel.SERIALIZABLE
        )

    def _level(self) -> str:
        return (self.isolation_level or IsolationLevel.READ_COMMITTED).value

    def _after_lock(self) -> None:
        """Register the key and look for its committed record (the lock, if any, is held)."""
        if self.store is None or not self.key:
            return
        from headwater.transactions import records

        try:
            self._open_key = records.open_key(self.store, self.key, self._level())
            if not self.overwrite and records.is_committed(
                self.store, self.key, self._level(), self.logger
            ):
                self.state = TransactionState.COMMITTED
        except BaseException:
            self._close_key()
            self._unlock()
            raise

    def _close_key(self) -> None:
        if self._open_key is not None:
            from headwater.transactions import records

            records.close_key(self._open_key, self._level())
            self._open_key = None

    def _unlock(self) -> None:
        if self._locked:
            self._locked = False
            self.logger.debug(f"Releasing lock for transaction {self.key!r}")
            try:
                self.store.release_lock(self.key, holder=self._holder)
            except ValueError as exc:  # lapsed (hold_timeout) or released elsewhere
                self.logger.warning(f"Lock for transaction {self.key!r} was already gone: {exc}")

    def _abandon(self) -> None:
        """Release the locks and keys of this transaction and its children, which will
        never commit (it was committed before it began, or already ended)."""
        self._unlock()
        self._close_key()
        for child in self.children:
            if child.state not in _FINAL:
                child._abandon()

    def _write(self) -> None:
        """Write what was staged: a task run's serialised records, or this key's record."""
        if not self.write_on_commit:
            return
        if self._staged_writes is not None:
            for storage, key, blob in self._staged_writes:
                storage.write(key, blob)
        elif self.store is not None and self.key:
            from headwater.transactions import records

            records.write_committed(
                self.store, self.key, self._staged_value, self._level(), self._holder
            )

    # --- commit and rollback, written once ------------------------------------------
    def _commit_steps(self) -> Generator[Step, Any, bool]:
        if self.state in _FINAL:
            self._abandon()
            return False
        try:
            for child in self.children:
                yield ("commit", child)
            for hook in self.on_commit_hooks:
                yield ("hook", (hook, "commit"))
            self._write()
            self.state = TransactionState.COMMITTED
            self._unlock()
            self._close_key()
            return True
        except Exception:
            self.logger.exception(
                f"An error was encountered while committing transaction {self.key!r}"
            )
            yield ("rollback", self)
            return False

    def _rollback_steps(self) -> Generator[Step, Any, bool]:
        if self.state in _FINAL:
            return False
        try:
            for hook in reversed(self.on_rollback_hooks):
                yield ("hook", (hook, "rollback"))
            self.state = TransactionState.ROLLED_BACK
            for child in reversed(self.children):
                yield ("rollback", child)
            return True
        except Exception:
            self.logger.exception(
                f"An error was encountered while rolling back transaction {self.key!r}"
            )
            return False
        finally:
            self._unlock()
            self._close_key()

    def _hook_started(self, hook: Callable[..., Any], kind: str) -> tuple[str, bool]:
        name = str(
            getattr(hook, "__name__", None)
            or getattr(getattr(hook, "func", None), "__name__", None)
            or repr(hook)
        )
        log = bool(getattr(hook, "log_on_run", True))
        if log:
            self.logger.info(f"Running {kind} hook {name!r}")
        return name, log

    def _hook_ended(self, name: str, kind: str, log: bool, failed: bool) -> None:
        if not log:
            return
        if failed:
            self.logger.error(f"An error was encountered while running {kind} hook {name!r}")
        else:
            self.logger.info(f"{kind.capitalize()} hook {name!r} finished running successfully")

    def _drive_blocking(self, steps: Generator[Step, Any, bool]) -> bool:
        """Run a commit or rollback procedure in this thread (async hooks run to completion)."""
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
                    hook, hook_kind = arg
                    name, log = self._hook_started(hook, hook_kind)
                    try:
                        call_maybe_async(hook, self)
                    except Exception:
                        self._hook_ended(name, hook_kind, log, failed=True)
                        raise
                    self._hook_ended(name, hook_kind, log, failed=False)
                else:
                    target = arg
                    reply = target._drive_blocking(
                        target._commit_steps() if kind == "commit" else target._rollback_steps()
                    )
            except Exception as exc:
                error = exc

    def rollback(self) -> Any:
        """Roll back (a bool, or for the async form an awaitable of one)."""
        raise NotImplementedError

    def commit(self) -> Any:
        """Commit (a bool, or for the async form an awaitable of one)."""
        raise NotImplementedError

    def rollback_blocking(self) -> bool:
        """Roll back from sync code whatever this transaction's form (the task engine's use)."""
        return self._drive_blocking(self._rollback_steps())


def get_transaction() -> BaseTransaction | None:
    """The innermost open transaction, or None."""
    return _active.get()
