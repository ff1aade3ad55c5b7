"""The engine's cache lookup and result persistence, called from `TaskCall`.

`cached_state` runs before a task's first attempt and returns a `Cached`
state on a hit (the body never runs); `completed_state` builds the
Completed state of a successful run and persists its result when the
task's options say so. Prefect's rules decide both (prefect-api.md 1b):

* `cache_key_fn` wins over `cache_policy` (one warning if both are given);
  no policy means DEFAULT, or NO_CACHE with HEADWATER_TASKS_DEFAULT_NO_CACHE;
  HEADWATER_TASKS_DISABLE_CACHING forces NO_CACHE.
* `persist_result=None` becomes True when a cache policy, cache_key_fn,
  result_storage(_key) or result_serializer is given, else follows the flow,
  else HEADWATER_RESULTS_PERSIST_BY_DEFAULT (false). Without persistence there
  is nothing to look up, so no caching; `persist_result=False` forces NO_CACHE.

Failures never fail the run: an unhashable argument gives one warning naming
it (and the fix) and the run goes uncached; a corrupt record is reported in
the run's log and the task runs again.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from headwater import settings
from headwater.caching.cache_records import CacheMiss, read_cached, write_record
from headwater.caching.policies import (
    DEFAULT,
    NO_CACHE,
    CacheKeyFnPolicy,
    CachePolicy,
    UnhashableInputsError,
    _None,
)
from headwater.persistence.records import PersistedResult
from headwater.persistence.result_storage import ResultStorageError, resolve_storage
from headwater.states import Cached, Completed

if TYPE_CHECKING:
    from headwater.context import TaskRunContext
    from headwater.states import State

__all__ = ["cached_state", "completed_state", "resolve_plan"]


@dataclass(frozen=True)
class Plan:
    """What a task's options resolve to for one run."""

    policy: CachePolicy | None  # None: no cache lookup
    persist: bool
    result_storage: Any
    result_serializer: Any
    key_storage: Any
    refresh: bool


_plans: weakref.WeakKeyDictionary[Any, tuple[Any, Plan]] = weakref.WeakKeyDictionary()
_warned: set[tuple[str, ...]] = set()
_warned_lock = threading.Lock()


def _warn_once(logger: Any, key: tuple[str, ...], message: str) -> None:
    with _warned_lock:
        if key in _warned:
            return
        _warned.add(key)
    logger.warning(message)


_plan_settings = settings.watch(
    "tasks_disable_caching", "tasks_default_no_cache", "tasks_refresh_cache",
    "results_persist_by_default",
)  # fmt: skip


def resolve_plan(task: Any, flow: Any, logger: Any = None) -> Plan:
    """The caching / persistence plan for `task` inside `flow` (memoised per task)."""
    env = (flow, _plan_settings())
    try:
        found = _plans.get(task)
    except TypeError:
        found = None
    if found is not None and found[0] == env:
        return found[1]
    plan = _resolve(task, flow, logger)
    try:
        _plans[task] = (env, plan)
    except TypeError:
        pass
    return plan


def _resolve(task: Any, flow: Any, logger: Any) -> Plan:
    from headwater.options import NotSet

    given = task.cache_policy is not NotSet and task.cache_policy is not None
    policy: CachePolicy
    if task.cache_key_fn is not None:
        policy = CacheKeyFnPolicy(cache_key_fn=task.cache_key_fn)
        if given and not isinstance(task.cache_policy, _None) and logger is not None:
            _warn_once(
                logger,
                ("both", task.task_key),
                f"Task {task.name!r} has both cache_key_fn and cache_policy; cache_key_fn is used.",
            )
    elif given:
        policy = task.cache_policy
    elif settings.get_bool("tasks_default_no_cache"):
        policy = NO_CACHE
    else:
        policy = DEFAULT
    explicit = task.cache_key_fn is not None or (given and not isinstance(task.cache_policy, _None))

    persist = task.persist_result
    if persist is None:
        if explicit or any((task.result_storage_key, task.result_storage, task.result_serializer)):
            persist = True
        elif flow is not None and getattr(flow, "persist_result", None) is not None:
            persist = bool(flow.persist_result)
        else:
            persist = settings.get_bool("results_persist_by_default")
    if persist is False and explicit and logger is not None:
        _warn_once(
            logger,
            ("nopersist", task.task_key),
            f"Task {task.name!r} has persist_result=False, so its cache policy is ignored "
            "(a cache needs persisted results).",
        )
    if not persist or settings.get_bool("tasks_disable_caching") or isinstance(policy, _None):
        active: CachePolicy | None = None
    else:
        active = policy
    storage = task.result_storage
    serializer = task.result_serializer
    if flow is not None:
        storage = storage if storage is not None else getattr(flow, "result_storage", None)
        serializer = (
            serializer if serializer is not None else getattr(flow, "result_serializer", None)
        )
    refresh = task.refresh_cache
    if refresh is None:
        refresh = settings.get_bool("tasks_refresh_cache")
    return Plan(
        policy=active,
        persist=bool(persist),
        result_storage=storage,
        result_serializer=serializer,
        key_storage=getattr(active, "key_storage", None),
        refresh=bool(refresh),
    )


def compute_cache_key(call: Any, ctx: TaskRunContext, plan: Plan) -> str | None:
    """The run's cache key, or None (with one warning) if it cannot be computed."""
    policy = plan.policy
    if policy is None:
        return None
    task = ctx.task
    frc = ctx.flow_run_context
    flow_parameters = frc.parameters if frc is not None else {}
    try:
        key = policy.compute_key(ctx, ctx.parameters, flow_parameters)
    except UnhashableInputsError as exc:
        names = exc.names
        first = names[0] if names else "arg"
        _warn_once(
            call.logger,
            ("unhashable", task.task_key, *names),
            f"Task {task.name!r} is not cached: argument(s) "
            + ", ".join(f"{n!r} ({exc.details[n]})" for n in names)
            + " cannot be hashed for the cache key. Leave it out of the key with "
            f'cache_policy=INPUTS - "{first}" (or DEFAULT - "{first}"), or turn caching off '
            "with cache_policy=NO_CACHE.",
        )
        return None
    except Exception as exc:
        _warn_once(
            call.logger,
            ("keyerror", task.task_key, type(exc).__name__),
            f"Task {task.name!r} is not cached: computing its cache key failed with {exc!r}.",
        )
        return None
    if key is None:
        return None
    if not isinstance(policy, CacheKeyFnPolicy):
        # policies hash inputs only: keep two tasks with equal inputs apart
        key = hashlib.blake2b(f"{task.task_key}:{key}".encode(), digest_size=16).hexdigest()
    return str(key)


def plan_for(call: Any, ctx: TaskRunContext) -> Plan:
    """The plan for this run: resolved once per task per flow run (settings are read
    when the flow run first needs them), so the per-task cost is one dict lookup."""
    plan: Plan | None = ctx.cache_plan
    if plan is not None:
        return plan
    frc = ctx.flow_run_context
    if frc is None:
        plan = resolve_plan(ctx.task, None, call.logger)
    else:
        memo = frc.result_settings
        plan = memo.get(ctx.task)
        if plan is None:
            plan = memo[ctx.task] = resolve_plan(ctx.task, frc.flow, call.logger)
    ctx.cache_plan = plan
    return plan


def cached_state(call: Any, ctx: TaskRunContext) -> State | None:
    """A Cached state if a usable record exists for this run's cache key, else None."""
    task = ctx.task
    plan = plan_for(call, ctx)
    if plan.policy is None:
        return None
    key = compute_cache_key(call, ctx, plan)
    ctx.task_run.cache_key = key
    if key is None or plan.refresh:
        return None
    storage = resolve_storage(
        plan.key_storage if plan.key_storage is not None else plan.result_storage
    )
    try:
        value = read_cached(storage, key)
    except CacheMiss as miss:
        if miss.reason:
            call.logger.warning(
                f"{miss.reason[0].upper()}{miss.reason[1:]}; running the task again."
            )
        return None
    if not task.cache_result_in_memory:
        value = PersistedResult(storage, key)
    return Cached(data=value)


def completed_state(call: Any, ctx: TaskRunContext, value: Any) -> State:
    """The Completed state for `value`, persisting it (and its cache record) if required."""
    task = ctx.task
    plan = plan_for(call, ctx)
    if not plan.persist:
        return Completed(data=value)
    task_run = ctx.task_run
    cache_key = task_run.cache_key
    storage_key = _storage_key(task, ctx) or cache_key or uuid.uuid4().hex
    expiration = (
        task.cache_expiration.total_seconds() if task.cache_expiration is not None else None
    )
    meta = {"task": task.name, "task_run_id": task_run.id}
    staged = getattr(call, "staged_writes", None)  # inside a transaction: written at commit
    try:
        storage = resolve_storage(plan.result_storage)
        write_record(
            storage, storage_key, value, plan.result_serializer, expiration, staged, **meta
        )
        if cache_key is not None and plan.policy is not None:
            key_storage = (
                resolve_storage(plan.key_storage) if plan.key_storage is not None else storage
            )
            if key_storage is not storage or cache_key != storage_key:
                ser = plan.result_serializer
                write_record(key_storage, cache_key, value, ser, expiration, staged, **meta)
    except Exception as exc:
        call.logger.warning(
            f"The result of task run {task_run.name!r} could not be persisted "
            f"({exc if isinstance(exc, ResultStorageError) else repr(exc)}); "
            "it is kept in memory only and will not be served from the cache."
        )
        return Completed(data=value)
    if not task.cache_result_in_memory and staged is None:
        return Completed(data=PersistedResult(storage, storage_key))
    return Completed(data=value)


def _storage_key(task: Any, ctx: TaskRunContext) -> str | None:
    template = task.result_storage_key
    if not template:
        return None
    from types import SimpleNamespace

    run = ctx.task_run
    frc = ctx.flow_run_context
    return str(
        template.format(
            parameters=ctx.parameters,
            task_run=SimpleNamespace(id=run.id, name=run.name),
            flow_run=SimpleNamespace(
                id=frc.flow_run.id if frc else None,
                name=getattr(frc.flow_run, "name", None) if frc else None,
            ),
        )
    )
