"""A task run's part in transactions: the engine side of `headwater.transactions`.

As in Prefect, a task run is governed by a transaction of its own, a child of
the transaction it runs in. Headwater opens one only when it can matter (the
run is inside a user's transaction, the task has `on_commit` / `on_rollback`
hooks, or its cache policy sets an isolation level), so other task runs pay
one context-variable read. The child:

* stages the run's result records (serialised at completion, written when the
  outermost transaction commits) and its commit / rollback hooks;
* commits at once when there is no parent (commit hooks run after the run's
  final state is recorded, before `on_completion` hooks);
* rolls its parent back when the run ends in any state but Completed;
* under SERIALIZABLE isolation holds the lock manager's lock on the run's
  cache key from a cache miss to its commit, looking the cache up again once
  it has the lock: a second process on the same key waits, then reuses the
  first's record instead of computing it again.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from headwater.engine.steps import Step
from headwater.exceptions import ConfigurationError
from headwater.states import Failed, StateType
from headwater.transactions.base import CommitMode, IsolationLevel, TransactionState, _active
from headwater.transactions.sync import Transaction

if TYPE_CHECKING:
    from headwater.context import TaskRunContext
    from headwater.engine.task_call import TaskCall
    from headwater.states import State

__all__ = ["close_task_transaction", "open_task_transaction", "settle_task_transaction"]


def open_task_transaction(call: TaskCall) -> Transaction | None:
    """The run's own transaction, made active; None when nothing could use it."""
    task = call.task
    parent = _active.get()
    policy = task.cache_policy
    level = getattr(policy, "isolation_level", None)
    if parent is None and level is None and not task.on_commit_hooks and not task.on_rollback_hooks:
        return None
    if level is None and parent is not None:
        level = parent.isolation_level
    txn = Transaction(
        commit_mode=parent.commit_mode if parent is not None else CommitMode.LAZY,
        isolation_level=IsolationLevel(level or IsolationLevel.READ_COMMITTED),
        logger=call.logger,
    )
    txn._parent = parent
    txn._entered = True
    txn.state = TransactionState.ACTIVE
    if parent is not None:
        call.staged_writes = []  # written when the outermost transaction commits
    call.txn = txn
    txn._token = _active.set(txn)
    return txn


def _lock_manager(call: TaskCall, txn: Transaction) -> Any:
    found = getattr(call.task.cache_policy, "lock_manager", None)
    parent = txn._parent
    if found is None and parent is not None and parent.store is not None:
        found = parent.store.lock_manager
    return found


def serialize_task_run(
    call: TaskCall, ctx: TaskRunContext, txn: Transaction, cached: State | None
) -> Generator[tuple[Any, ...], Any, State | None]:
    """Under SERIALIZABLE, take the lock on the run's cache key after a miss and look again.

    Returns the Cached state to finish in (this or another process wrote the record while
    we waited), a Failed state when the options cannot lock, or None to run the body.
    Waiting for the lock is polling with `Step.SLEEP`, so an async run never blocks its
    event loop. Runs under one outermost transaction share a lock holder: a second run
    of the same key inside it (its record staged, not yet written) does not wait for
    the first, which would never release before the commit.
    """
    key = call.task_run.cache_key
    if cached is not None or txn.isolation_level != IsolationLevel.SERIALIZABLE or key is None:
        return cached
    locks = _lock_manager(call, txn)
    if locks is None:
        error = ConfigurationError(
            f"Task {call.task.name!r} asks for isolation_level=SERIALIZABLE but has no lock "
            "manager. Configure its cache policy with one, e.g. cache_policy=INPUTS.configure("
            "isolation_level='SERIALIZABLE', lock_manager=FileSystemLockManager("
            "lock_files_directory=...)) (headwater.locking), or run it inside a SERIALIZABLE "
            "transaction whose store has a lock manager."
        )
        call.logger.error(str(error))
        return Failed(message=str(error), data=error)
    from headwater.persistence.result_store import ResultStore

    root = txn._parent
    while root is not None and root.get_parent() is not None:
        root = root.get_parent()
    if root is not None:
        txn._holder = root._holder
    txn.key = key
    txn.store = ResultStore(lock_manager=locks)
    if locks.is_lock_holder(key, txn._holder):
        return None  # a sibling holds it until the transaction commits
    txn.logger.debug(f"Acquiring lock for transaction {key!r}")
    delay = _POLL_MIN
    while not locks.acquire_lock(key, txn._holder, acquire_timeout=0):
        yield (Step.SLEEP, delay)
        delay = min(delay * 2, _POLL_MAX)
    txn._locked = True
    return call._cached_state(ctx)


_POLL_MIN = 0.005
_POLL_MAX = 0.1


def settle_task_transaction(call: TaskCall, state: State, cached: bool = False) -> None:
    """After the run's final state is recorded: stage and commit (or hand to the parent),
    or roll back, the parent too."""
    txn = call.txn
    if txn is None:
        return
    parent = txn._parent
    task = call.task
    if cached:  # the record existed: committed before it began, nothing to stage
        txn.state = TransactionState.COMMITTED
        txn._abandon()
    elif state.type is StateType.COMPLETED:
        txn._staged_writes = call.staged_writes if call.staged_writes is not None else []
        txn.stage(
            state.data,
            on_rollback_hooks=list(task.on_rollback_hooks),
            on_commit_hooks=list(task.on_commit_hooks),
        )
        if parent is None:
            txn.commit()
        else:
            parent.add_child(txn)
    else:
        txn.rollback_blocking()
        if parent is not None:
            parent.rollback_blocking()


def close_task_transaction(txn: Transaction) -> None:
    """Always, when the run's lifecycle ends: leave the context; a run that never settled
    (interrupted) gives back its lock."""
    if txn.state == TransactionState.ACTIVE:
        txn.rollback_blocking()
    if txn._token is not None:
        _active.reset(txn._token)
        txn._token = None
