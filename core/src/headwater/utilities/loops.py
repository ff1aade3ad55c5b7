"""Whether an asyncio event loop runs in this thread, without importing asyncio.

Prefect's dual sync/async APIs (Block.save, Variable.get, flow.visualize ...)
return an awaitable when called inside a running loop. The check runs on
every such call, so it must not import asyncio: if asyncio was never
imported, no loop can be running.
"""

from __future__ import annotations

import sys

__all__ = ["loop_running"]


def loop_running() -> bool:
    """True inside a running event loop (in this thread)."""
    asyncio = sys.modules.get("asyncio")
    if asyncio is None:
        return False
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
