"""Calling a function that may be sync or async from sync code."""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["call_maybe_async"]


def call_maybe_async(fn: Callable[..., Any], *args: Any) -> Any:
    """Call `fn`; if it returns a coroutine, run it to completion (even under a running loop,
    on a thread of its own, so a hook never needs the caller's loop to be free)."""
    result = fn(*args)
    if inspect.isawaitable(result):
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(_await(result))
        box: list[Any] = []
        errors: list[BaseException] = []

        def run() -> None:
            try:
                box.append(asyncio.run(_await(result)))
            except BaseException as exc:  # re-raised in the caller's thread
                errors.append(exc)

        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        if errors:
            raise errors[0]
        return box[0] if box else None
    return result


async def _await(awaitable: Any) -> Any:
    return await awaitable
