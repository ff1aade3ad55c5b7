"""Prefect import paths users write, with `prefect` renamed, resolve to working names."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

PATHS = [
    ("headwater", ["flow", "task", "Flow", "Task", "get_run_logger", "tags", "unmapped",
                   "allow_failure", "State", "ThreadPoolTaskRunner", "ProcessPoolTaskRunner"]),
    ("headwater.tasks", ["task_input_hash", "exponential_backoff", "Task"]),
    ("headwater.flows", ["flow", "Flow"]),
    ("headwater.states", ["Completed", "Failed", "Crashed", "Cancelled", "Pending", "Running",
                          "Scheduled", "Paused", "State", "StateType"]),
    ("headwater.futures", ["PrefectFuture", "PrefectFutureList", "wait", "as_completed",
                           "resolve_futures_to_states", "resolve_futures_to_results"]),
    ("headwater.context", ["FlowRunContext", "TaskRunContext", "get_run_context", "tags"]),
    ("headwater.logging", ["get_logger", "get_run_logger"]),
    ("headwater.task_runners", ["TaskRunner", "ThreadPoolTaskRunner", "ConcurrentTaskRunner",
                                "ProcessPoolTaskRunner"]),
    ("headwater.cache_policies", ["INPUTS", "TASK_SOURCE", "FLOW_PARAMETERS", "RUN_ID",
                                  "NO_CACHE", "DEFAULT", "CachePolicy"]),
    ("headwater.utilities.annotations", ["unmapped", "allow_failure", "quote"]),
    ("headwater.blocks.core", ["Block"]),
    ("headwater.blocks.system", ["Secret"]),
    ("headwater.blocks.abstract", ["CredentialsBlock", "NotificationBlock", "JobBlock",
                                   "DatabaseBlock", "ObjectStorageBlock"]),
    ("headwater.filesystems", ["LocalFileSystem", "WritableFileSystem", "ReadableFileSystem"]),
    ("headwater.serializers", ["JSONSerializer", "PickleSerializer"]),
    ("headwater.types", ["SecretDict", "SecretStr"]),
    ("headwater.runtime", ["flow_run", "task_run", "deployment"]),
    ("headwater.events", ["emit_event", "Event"]),
    ("headwater.exceptions", ["MissingContextError", "UpstreamTaskError", "CrashedRun"]),
    ("headwater.utilities.annotations", ["opaque"]),
    ("headwater.context", ["with_context"]),
    ("headwater.testing.utilities", ["prefect_test_harness", "headwater_test_harness"]),
    ("headwater.results", ["ResultStore", "ResultRecord", "get_result_store"]),
    ("headwater.locking.protocol", ["LockManager"]),
    ("headwater.locking.memory", ["MemoryLockManager"]),
    ("headwater.locking.filesystem", ["FileSystemLockManager"]),
    ("headwater.logging.handlers", ["PrefectConsoleHandler", "HeadwaterConsoleHandler"]),
    ("headwater.logging.loggers", ["flow_run_logger", "task_run_logger", "get_run_logger",
                                   "get_logger"]),
    ("headwater.events.schemas.events", ["Event", "Resource", "RelatedResource"]),
    ("headwater.settings", ["PREFECT_HOME", "PREFECT_API_URL", "PREFECT_API_KEY",
                            "PREFECT_LOGGING_LEVEL", "PREFECT_RESULTS_PERSIST_BY_DEFAULT",
                            "PREFECT_LOCAL_STORAGE_PATH", "HEADWATER_HOME", "temporary_settings"]),
    ("headwater.client.schemas.objects", ["FlowRun", "TaskRun", "State", "StateType", "Log"]),
]  # fmt: skip


@pytest.mark.parametrize(("module", "names"), PATHS, ids=[m for m, _ in PATHS])
def test_prefect_paths(module: str, names: list[str]) -> None:
    mod = importlib.import_module(module)
    missing = [n for n in names if not hasattr(mod, n)]
    assert not missing, f"{module} lacks {missing}"


def test_import_headwater_loads_neither_pydantic_nor_pluggy() -> None:
    code = (
        "import sys, headwater; "
        "print(sorted(m for m in ('pydantic', 'pluggy', 'cryptography', 'sqlite3') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_ported_names_are_the_working_ones() -> None:
    """Each new path leads to headwater's real implementation, not a look-alike."""
    from headwater.annotations import opaque
    from headwater.client.schemas.objects import FlowRun, State, TaskRun
    from headwater.history.records import FlowRun as FlowRunRecord
    from headwater.history.records import TaskRun as TaskRunRecord
    from headwater.locking import LockManager
    from headwater.locking.filesystem import FileSystemLockManager
    from headwater.locking.memory import MemoryLockManager
    from headwater.logging import get_run_logger
    from headwater.logging.loggers import get_run_logger as ported_get_run_logger
    from headwater.settings import HEADWATER_HOME, PREFECT_HOME
    from headwater.states import State as HeadwaterState
    from headwater.utilities.annotations import opaque as ported_opaque

    assert ported_opaque is opaque and ported_get_run_logger is get_run_logger
    assert (FlowRun, TaskRun, State) == (FlowRunRecord, TaskRunRecord, HeadwaterState)
    assert PREFECT_HOME is HEADWATER_HOME
    assert isinstance(MemoryLockManager(), LockManager)
    assert isinstance(FileSystemLockManager("."), LockManager)


def test_run_loggers_from_records_attach_lines_to_the_run() -> None:
    from headwater import flow
    from headwater.context import get_run_context
    from headwater.history import get_store
    from headwater.logging.loggers import flow_run_logger

    @flow
    def remember() -> object:
        return get_run_context().flow_run

    run = remember()
    flow_run_logger(run).info("reported afterwards")
    store = get_store()
    store.flush()
    assert "reported afterwards" in [e["message"] for e in store.read_logs(run.id)]


def test_console_handler_prints_the_run_log_look() -> None:
    import io
    import logging

    from headwater.logging.handlers import PrefectConsoleHandler

    out = io.StringIO()
    logger = logging.getLogger("ported.app")
    logger.addHandler(PrefectConsoleHandler(stream=out))
    try:
        logger.warning("disk almost full")
    finally:
        logger.handlers.clear()
    assert out.getvalue().strip().endswith("| WARNING | ported.app - disk almost full")
