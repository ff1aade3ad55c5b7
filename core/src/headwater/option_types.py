"""The types of `@task` and `@flow` options, for type checkers and editors.

`@task(retries="3")` or `@flow(task_runer=...)` is a type error in the editor
before it is a runtime error. Nothing here runs on a task call: `tasks.py` and
`flows.py` import this module only under `TYPE_CHECKING`.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol, TypedDict, Union

if TYPE_CHECKING:
    from headwater.caching.policies import CachePolicy
    from headwater.persistence.result_storage import ResultStorage
    from headwater.persistence.serializers import Serializer
    from headwater.task_runners.base import TaskRunner

__all__ = [
    "CachePolicyOption",
    "FileSystemLike",
    "FlowOptions",
    "ResultSerializerOption",
    "ResultStorageOption",
    "RetryDelayOption",
    "StateHook",
    "TaskOptions",
    "TaskRunnerOption",
]


class FileSystemLike(Protocol):
    """What `result_storage` needs of a block: read and write bytes at a path
    (LocalFileSystem, S3Bucket, AzureBlobStorageContainer, GcsBucket, ...)."""

    def read_path(self, path: str) -> bytes: ...

    def write_path(self, path: str, content: bytes) -> Any: ...


#: a block, a saved block's "slug/name", or a local path
ResultStorageOption = Union["FileSystemLike", "ResultStorage", str, "os.PathLike[str]", None]
#: "pickle", "json", or an object with dumps() and loads()
ResultSerializerOption = Union["Serializer", str, None]
#: a runner instance, a runner class, or a registered name such as "dask"
TaskRunnerOption = Union["TaskRunner[Any]", "type[TaskRunner[Any]]", str, None]
#: a policy such as INPUTS + TASK_SOURCE, or None for "no caching" (left out: the default)
CachePolicyOption = Union["CachePolicy", None]
RetryDelayOption = Union[float, list[float], Callable[[int], list[float]], None]
#: `hook(task_or_flow, run, state)`
StateHook = Callable[..., Any]


class TaskOptions(TypedDict, total=False):
    """Every `@task(...)` / `Task.with_options(...)` option, with Prefect's names."""

    name: str | None
    description: str | None
    tags: Iterable[str] | None
    version: str | None
    cache_policy: CachePolicyOption
    cache_key_fn: Callable[..., str | None] | None
    cache_expiration: datetime.timedelta | None
    task_run_name: str | Callable[..., str] | None
    retries: int | None
    retry_delay_seconds: RetryDelayOption
    retry_jitter_factor: float | None
    persist_result: bool | None
    result_storage: ResultStorageOption
    result_serializer: ResultSerializerOption
    result_storage_key: str | None
    cache_result_in_memory: bool
    timeout_seconds: float | None
    log_prints: bool | None
    refresh_cache: bool | None
    on_completion: list[StateHook] | None
    on_failure: list[StateHook] | None
    on_running: list[StateHook] | None
    on_commit: list[StateHook] | None
    on_rollback: list[StateHook] | None
    retry_condition_fn: Callable[..., bool] | None
    viz_return_value: Any
    asset_deps: list[Any] | None
    cache_expiration_seconds: float | None


class FlowOptions(TypedDict, total=False):
    """Every `@flow(...)` / `Flow.with_options(...)` option, with Prefect's names."""

    name: str | None
    version: str | None
    flow_run_name: str | Callable[[], str] | None
    retries: int | None
    retry_delay_seconds: float | None
    task_runner: TaskRunnerOption
    description: str | None
    timeout_seconds: float | None
    validate_parameters: bool
    persist_result: bool | None
    result_storage: ResultStorageOption
    result_serializer: ResultSerializerOption
    cache_result_in_memory: bool
    log_prints: bool | None
    on_completion: list[StateHook] | None
    on_failure: list[StateHook] | None
    on_cancellation: list[StateHook] | None
    on_crashed: list[StateHook] | None
    on_running: list[StateHook] | None
