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
