"""Running state hooks (`on_completion`, `on_failure`, ...): sync or async, never fatal."""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Callable
from typing import Any


def call_maybe_async(fn: Callable[..., Any], *args: Any) -> Any:
    """Call `fn`; if it returns a coroutine, run it to completion (even under a running loop)."""
    result = fn(*args)
    if inspect.isawaitable(result):
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(_await(result))
        box: list[Any] = []
        thread = threading.Thread(target=lambda: box.append(asyncio.run(_await(result))))
        thread.start()
        thread.join()
        return box[0] if box else None
    return result


async def _await(awaitable: Any) -> Any:
    return await awaitable


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
