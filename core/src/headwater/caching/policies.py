"""Cache policies: what a task run's cache key is made of.

Prefect's names and algebra (`prefect.cache_policies`): `INPUTS`,
`TASK_SOURCE`, `FLOW_PARAMETERS`, `RUN_ID`, `NO_CACHE` (= `NONE`),
`DEFAULT = INPUTS + TASK_SOURCE + RUN_ID`; `+` combines, `-` excludes an
input by name. Two fixes over Prefect: `-` works on compound policies too
(`DEFAULT - "client"`, PrefectHQ/prefect#16773), and a compound policy whose
part fails computes no key at all (fail closed, PrefectHQ/prefect#15861)
instead of a key that silently ignores the failed part.
"""

from __future__ import annotations

import dataclasses
import inspect
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from headwater.caching.input_hashing import UnhashableError, hash_objects, stable_bytes

__all__ = [
    "DEFAULT",
    "FLOW_PARAMETERS",
    "INPUTS",
    "NONE",
    "NO_CACHE",
    "RUN_ID",
    "TASK_SOURCE",
    "CacheKeyFnPolicy",
    "CachePolicy",
    "CompoundCachePolicy",
    "FlowParameters",
    "Inputs",
    "RunId",
    "TaskSource",
    "UnhashableInputsError",
]


class UnhashableInputsError(ValueError):
    """Some task arguments cannot be hashed; `names` lists them."""

    def __init__(self, names: list[str], details: dict[str, str]) -> None:
        self.names = names
        self.details = details
        super().__init__(
            "cannot hash argument(s) "
            + ", ".join(f"{n!r} ({details[n]})" for n in names)
            + " for the cache key"
        )


@dataclass
class CachePolicy:
    """Base class: subclass and implement `compute_key`."""

    key_storage: Any = field(default=None, kw_only=True)
    lock_manager: Any = field(default=None, kw_only=True)
    isolation_level: str | None = field(default=None, kw_only=True)

    @classmethod
    def from_cache_key_fn(cls, cache_key_fn: Callable[..., str | None]) -> CacheKeyFnPolicy:
        return CacheKeyFnPolicy(cache_key_fn=cache_key_fn)

    def compute_key(
        self,
        task_ctx: Any,
        inputs: dict[str, Any],
        flow_parameters: dict[str, Any],
        **kwargs: Any,
    ) -> str | None:
        """The cache key, or None for "do not cache". May raise to mean the same, loudly."""
        raise NotImplementedError

    def configure(
        self,
        key_storage: Any = None,
        lock_manager: Any = None,
        isolation_level: str | None = None,
    ) -> CachePolicy:
        """A copy with cache records kept in `key_storage` (a block, "slug/name" or a path)."""
        changes: dict[str, Any] = {}
        if key_storage is not None:
            changes["key_storage"] = key_storage
        if lock_manager is not None:
            changes["lock_manager"] = lock_manager
        if isolation_level is not None:
            changes["isolation_level"] = isolation_level
        return dataclasses.replace(self, **changes)

    def __add__(self, other: CachePolicy) -> CachePolicy:
        if not isinstance(other, CachePolicy):
            return NotImplemented
        if isinstance(other, _None):
            return self
        if (
            self.key_storage is not None
            and other.key_storage is not None
            and self.key_storage != other.key_storage
        ):
            raise ValueError(
                "Cannot combine cache policies with different key_storage; "
                "configure the combined policy instead"
            )
        parts = _parts(self) + _parts(other)
        return CompoundCachePolicy(
            policies=parts,
            key_storage=self.key_storage or other.key_storage,
            lock_manager=self.lock_manager or other.lock_manager,
            isolation_level=self.isolation_level or other.isolation_level,
        )

    def __sub__(self, other: str) -> CachePolicy:
        if not isinstance(other, str):
            raise TypeError("Only argument names (strings) can be subtracted from a cache policy")
        return self


def _parts(policy: CachePolicy) -> list[CachePolicy]:
    return list(policy.policies) if isinstance(policy, CompoundCachePolicy) else [policy]


@dataclass
class CacheKeyFnPolicy(CachePolicy):
    """A policy from a `cache_key_fn(task_run_context, arguments) -> str | None`."""

    cache_key_fn: Callable[..., str | None] | None = None

    def compute_key(
        self, task_ctx: Any, inputs: dict[str, Any], flow_parameters: dict[str, Any], **kwargs: Any
    ) -> str | None:
        if self.cache_key_fn is None:
            return None
        return self.cache_key_fn(task_ctx, inputs)


@dataclass
class CompoundCachePolicy(CachePolicy):
    """Several policies at once. Any part that fails (raises or gives None) means no key."""

    policies: list[CachePolicy] = field(default_factory=list)

    def compute_key(
        self, task_ctx: Any, inputs: dict[str, Any], flow_parameters: dict[str, Any], **kwargs: Any
    ) -> str | None:
        keys = []
        for policy in self.policies:
            key = policy.compute_key(task_ctx, inputs, flow_parameters, **kwargs)
            if key is None:
                return None  # fail closed
            keys.append(key)
        return hash_objects(*keys)

    def __sub__(self, other: str) -> CachePolicy:
        if not isinstance(other, str):
            raise TypeError("Only argument names (strings) can be subtracted from a cache policy")
        return dataclasses.replace(self, policies=[p - other for p in self.policies])


@dataclass
class _None(CachePolicy):
    """No caching (`NO_CACHE`, also `NONE`)."""

    def compute_key(
        self, task_ctx: Any, inputs: dict[str, Any], flow_parameters: dict[str, Any], **kwargs: Any
    ) -> str | None:
        return None

    def __add__(self, other: CachePolicy) -> CachePolicy:
        if not isinstance(other, CachePolicy):
            return NotImplemented
        return other


_source_keys: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


def source_key(fn: Any) -> str:
    """A hash of `fn`'s source (its bytecode when the source is unavailable), cached per function."""
    try:
        return _source_keys[fn]
    except (KeyError, TypeError):
        pass
    try:
        text: Any = inspect.getsource(fn)
    except (OSError, TypeError):
        code = getattr(fn, "__code__", None)
        text = code.co_code.hex() if code is not None else repr(fn)
    key = hash_objects(text) or ""
    try:
        _source_keys[fn] = key
    except TypeError:
        pass
    return key


@dataclass
class TaskSource(CachePolicy):
    """The task function's source code: editing the task invalidates its cache."""

    def compute_key(
        self, task_ctx: Any, inputs: dict[str, Any], flow_parameters: dict[str, Any], **kwargs: Any
    ) -> str | None:
        if task_ctx is None:
            return None
        return source_key(task_ctx.task.fn)


@dataclass
class FlowParameters(CachePolicy):
    """The parameters of the flow run the task belongs to ({} outside a flow)."""

    def compute_key(
        self, task_ctx: Any, inputs: dict[str, Any], flow_parameters: dict[str, Any], **kwargs: Any
    ) -> str | None:
        return hash_objects(flow_parameters or {})


@dataclass
class RunId(CachePolicy):
    """The flow run's id (the task run's own id outside a flow): caches last one run."""

    def compute_key(
        self, task_ctx: Any, inputs: dict[str, Any], flow_parameters: dict[str, Any], **kwargs: Any
    ) -> str | None:
        if task_ctx is None:
            return None
        run = task_ctx.task_run
        return run.flow_run_id or run.id  # type: ignore[no-any-return]


@dataclass
class Inputs(CachePolicy):
    """The task's arguments, except those named in `exclude`."""

    exclude: list[str] = field(default_factory=list)

    def compute_key(
        self, task_ctx: Any, inputs: dict[str, Any], flow_parameters: dict[str, Any], **kwargs: Any
    ) -> str | None:
        excluded = self.exclude
        chosen = {k: v for k, v in inputs.items() if k not in excluded} if excluded else inputs
        try:
            data = stable_bytes(chosen)
        except UnhashableError:
            details: dict[str, str] = {}
            for name, value in chosen.items():
                try:
                    stable_bytes(value)
                except UnhashableError:
                    details[name] = f"a {type(value).__module__}.{type(value).__qualname__}"
            raise UnhashableInputsError(sorted(details), details) from None
        import hashlib

        return hashlib.blake2b(data, digest_size=16).hexdigest()

    def __sub__(self, other: str) -> CachePolicy:
        if not isinstance(other, str):
            raise TypeError("Only argument names (strings) can be subtracted from a cache policy")
        return dataclasses.replace(self, exclude=[*self.exclude, other])


INPUTS = Inputs()
TASK_SOURCE = TaskSource()
FLOW_PARAMETERS = FlowParameters()
RUN_ID = RunId()
NO_CACHE = _None()
NONE = NO_CACHE
DEFAULT = INPUTS + TASK_SOURCE + RUN_ID
