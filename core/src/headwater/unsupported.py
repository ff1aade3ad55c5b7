"""Prefect options headwater accepts but does not act on yet: one warning each.

A ported script keeps running, and its author learns, once per process and
option, which option is not honoured (docs/concepts.md lists them).
"""

from __future__ import annotations

import threading
import warnings

__all__ = ["UnsupportedOptionWarning", "warn_unsupported"]


class UnsupportedOptionWarning(UserWarning):
    """A Prefect option was given that headwater accepts but does not act on yet."""


_warned: set[str] = set()
_lock = threading.Lock()

_WHY = {
    "deferred": "background task workers are not built yet; map(deferred=True) submits "
    "to the flow's task runner as deferred=False does",
}


def warn_unsupported(option: str, owner: str, stacklevel: int = 3) -> None:
    """Warn once per process that `option` (given to `owner`) is accepted but ignored."""
    with _lock:
        if option in _warned:
            return
        _warned.add(option)
    why = _WHY.get(option, "it is not built yet")
    warnings.warn(
        f"{owner}: option {option!r} is accepted for Prefect compatibility but ignored: "
        f"{why}. See 'Not yet supported options' in docs/concepts.md.",
        UnsupportedOptionWarning,
        stacklevel=stacklevel,
    )
