"""Running state hooks (`on_completion`, `on_failure`, ...): sync or async, never fatal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from headwater.utilities.asyncutils import call_maybe_async

__all__ = ["call_maybe_async", "run_hooks"]


def run_hooks(
    hooks: list[Callable[..., Any]], subject: Any, run: Any, state: Any, logger: Any
) -> None:
    for hook in hooks:
        name = getattr(hook, "__name__", repr(hook))
        logger.info(f"Running hook {name!r} in response to entering state {state.name!r}")
        try:
            call_maybe_async(hook, subject, run, state)
        except Exception:
            logger.error(f"An error was encountered while running hook {name!r}", exc_info=True)
        else:
            logger.info(f"Hook {name!r} finished running successfully")
