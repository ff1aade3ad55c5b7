"""Prefect's spelling and headwater's are the same name: the one place that says so.

headwater records its own events as `headwater.flow-run.Completed` with the
label `headwater.resource.id`; code ported from Prefect says
`prefect.flow-run.Completed` and `prefect.resource.id`. Everything that compares
event names, label keys or label values (the `Resource` lookups, `events ls`
filters, automation triggers) compares their `canonical` forms, in which a
leading `prefect.` reads as `headwater.`.

Patterns use `*` as the only wildcard (any run of characters, dots included),
as Prefect's triggers do: `prefect.flow-run.*`, `*.Failed`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

__all__ = [
    "OURS",
    "PREFECT",
    "canonical",
    "canonical_labels",
    "glob_pattern",
    "matches",
    "other_spelling",
]

PREFECT = "prefect."
OURS = "headwater."
_CUT = len(PREFECT)


def canonical(text: str) -> str:
    """`text` with a leading `prefect.` spelled `headwater.`; anything else unchanged."""
    return OURS + text[_CUT:] if text.startswith(PREFECT) else text


def other_spelling(text: str) -> str | None:
    """The same name in the other prefix (`prefect.x` <-> `headwater.x`), or None."""
    if text.startswith(PREFECT):
        return OURS + text[_CUT:]
    if text.startswith(OURS):
        return PREFECT + text[len(OURS) :]
    return None


def canonical_labels(labels: Mapping[str, str]) -> dict[str, str]:
    """Labels with keys and values in canonical form (for comparing resources)."""
    return {canonical(key): canonical(value) for key, value in labels.items()}


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    parts = canonical(pattern).split("*")
    return re.compile(".*".join(re.escape(part) for part in parts), re.DOTALL)


def matches(pattern: str, value: str) -> bool:
    """Whether `value` matches `pattern` (`*` wildcards), either prefix spelling on either side.

    `matches("prefect.flow-run.*", "headwater.flow-run.Failed")` is True.
    """
    return _compiled(pattern).fullmatch(canonical(value)) is not None


def glob_pattern(pattern: str) -> str:
    """`pattern` in canonical form as an SQLite GLOB, where only `*` is special.

    Compare it against the SQL expression `sql_canonical(column)`.
    """
    escaped = "".join(f"[{c}]" if c in "?[]" else c for c in canonical(pattern))
    return escaped


def sql_canonical(column: str) -> str:
    """An SQL expression giving `column` in canonical form (column is trusted SQL text)."""
    return (
        f"(CASE WHEN substr({column}, 1, {_CUT}) = '{PREFECT}' "
        f"THEN '{OURS}' || substr({column}, {_CUT + 1}) ELSE {column} END)"
    )
