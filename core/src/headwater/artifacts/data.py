"""Checking and shaping what artifacts store: keys, tables, progress.

A table is stored as JSON text a dashboard can parse: rectangular (or a list of
row dicts), NaN and infinities as null. Progress is a percentage; outside 0 to 100
it is clamped with a warning, as Prefect does.
"""

from __future__ import annotations

import json
import logging
import math
import re
from typing import Any

__all__ = ["TableData", "check_key", "clamp_progress", "table_json"]

logger = logging.getLogger("headwater.artifacts")

_KEY = re.compile(r"[a-z0-9-]+")
TableData = dict[str, list[Any]] | list[dict[str, Any]] | list[list[Any]]


def check_key(key: str | None) -> str | None:
    """`key`, or a ValueError naming it and a key that would do."""
    if key is None:
        return None
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        text = str(key)
        suggestion = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-") or "my-artifact"
        raise ValueError(
            f"Artifact key {key!r} is not valid: use only lowercase letters, numbers and "
            f"dashes, e.g. {suggestion!r} (or key=None for an artifact with no key)"
        )
    return key


def table_json(table: Any, key: str | None) -> str:
    """`table` as JSON text, NaN and infinities as null; a ValueError if it is not a
    rectangular table (every column, or every row list, the same length)."""
    label = _label("table", key)
    if isinstance(table, dict):
        lengths = {}
        for column, values in table.items():
            if not isinstance(values, (list, tuple)):
                raise ValueError(
                    f"{label}: column {column!r} is a {type(values).__name__}, not a list; "
                    "a dict table maps each column name to a list of its values"
                )
            lengths[column] = len(values)
        if len(set(lengths.values())) > 1:
            (first, n), *_ = lengths.items()
            other, m = next((c, k) for c, k in lengths.items() if k != n)
            raise ValueError(
                f"{label}: the table's columns differ in length (column {first!r} has "
                f"{n} values, column {other!r} has {m}); give every column the same "
                "number of values, using None for a missing one"
            )
    elif isinstance(table, list):
        if all(isinstance(row, dict) for row in table):
            pass  # rows as records: a missing key is an empty cell
        elif all(isinstance(row, (list, tuple)) for row in table):
            widths = [len(row) for row in table]
            if len(set(widths)) > 1:
                bad = next(i for i, w in enumerate(widths) if w != widths[0])
                raise ValueError(
                    f"{label}: the table's rows differ in length (row 0 has {widths[0]} "
                    f"cells, row {bad} has {widths[bad]}); give every row the same number "
                    "of cells, using None for an empty one"
                )
        else:
            kinds = sorted({type(row).__name__ for row in table})
            raise ValueError(
                f"{label}: the table's rows must all be dicts or all be lists, got "
                f"{', '.join(kinds)}"
            )
    else:
        raise ValueError(
            f"{label}: the table is a {type(table).__name__}; give a dict of columns "
            "({'name': [...], 'age': [...]}), a list of row dicts or a list of row lists "
            "(a pandas DataFrame: df.to_dict(orient='records'))"
        )
    try:
        return json.dumps(_sanitize(table), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{label}: a cell cannot be stored as JSON ({exc}); convert such values "
            "first (str(value), a datetime's .isoformat(), a numpy number's .item())"
        ) from None


def _sanitize(item: Any) -> Any:
    """NaN to None, as Prefect does; infinities too (Prefect writes `Infinity`, which
    is not JSON, so a dashboard's JSON parser would reject the whole table)."""
    if isinstance(item, (list, tuple)):
        return [_sanitize(sub) for sub in item]
    if isinstance(item, dict):
        return {k: _sanitize(v) for k, v in item.items()}
    if isinstance(item, float) and not math.isfinite(item):
        return None
    return item


def clamp_progress(progress: float, key: str | None) -> float:
    if math.isnan(progress):
        raise ValueError(
            f"{_label('progress', key)}: progress is NaN; pass a percentage from 0 to 100"
        )
    if 0.0 <= progress <= 100.0:
        return progress
    clamped = max(0.0, min(progress, 100.0))
    logger.warning(
        "%s: progress %s%% is outside 0 to 100; recorded as %s%% (pass a percentage from 0 to 100)",
        _label("progress", key),
        progress,
        clamped,
    )
    return clamped


def _label(kind: str, key: str | None) -> str:
    return f"{kind} artifact {key!r}" if key else f"{kind} artifact (no key)"
