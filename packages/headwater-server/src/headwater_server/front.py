"""Answers /api/health while FastAPI is still importing, so the server is up in well under 1 s.

Importing FastAPI and pydantic and building the routes takes most of a second on
a busy machine; uvicorn can listen long before that. `LoadingApp` builds the real
application in a thread and holds every other request until it is ready.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable

from headwater_server.guards import ASGIApp, Receive, Scope, Send, answer

logger = logging.getLogger("headwater.server")

HEALTH_PATH = "/api/health"


class LoadingApp:
    """An ASGI app that becomes `build()`'s app once that has run (in a thread)."""

    def __init__(self, build: Callable[[], ASGIApp], on_shutdown: Callable[[], None]) -> None:
        self._app: ASGIApp | None = None
        self._error: BaseException | None = None
        self._ready = threading.Event()
        self._on_shutdown = on_shutdown
        self._build_app = build
        self._loading = threading.Lock()
        self._started = False

    def start_loading(self) -> None:
        """Build the real app in a thread (once). The server calls this when it listens,
        so the import does not compete with uvicorn's own start-up for the GIL."""
        with self._loading:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._build, name="api-loader", daemon=True).start()

    def _build(self) -> None:
        try:
            self._app = self._build_app()
        except BaseException as exc:  # reported on every request instead of a hang
            logger.exception("the API could not be built")
            self._error = exc
        finally:
            self._ready.set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._ready.wait(timeout)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(receive, send)
            return
        if kind == "http" and scope["path"] == HEALTH_PATH and scope.get("method") == "GET":
            await answer(send, 200, True)
            return
        if not self._ready.is_set():
            self.start_loading()
            await asyncio.get_running_loop().run_in_executor(None, self._ready.wait)
        if self._app is None:
            if kind == "http":
                await answer(send, 503, {"detail": f"the API failed to load: {self._error!r}"})
            return
        await self._app(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self._on_shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return


__all__ = ["LoadingApp"]
