"""Prefect's `prefect.results`: the result store and its records.

Result persistence itself lives in `headwater.persistence`; this module keeps
Prefect's import path (`from headwater.results import ResultStore`).
"""

from __future__ import annotations

from headwater.persistence.result_store import (
    DEFAULT_STORAGE_KEY_FN,
    ResultRecord,
    ResultRecordMetadata,
    ResultStore,
    get_result_store,
)

__all__ = [
    "DEFAULT_STORAGE_KEY_FN",
    "ResultRecord",
    "ResultRecordMetadata",
    "ResultStore",
    "get_result_store",
]
