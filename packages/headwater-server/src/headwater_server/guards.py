"""ASGI middleware in front of the API: the API key and the request size limit.

Both answer before FastAPI parses anything, so a request without the key, or a
body over the limit, costs the server nothing and learns nothing.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: the largest request body accepted (a filter body is a few hundred bytes)
MAX_BODY_BYTES = 1_000_000

#: where clients send their run records, and the largest batch body accepted there
RECORDS_PATH = "/api/records"
MAX_BATCH_BYTES = 32_000_000

#: open without the key, as Prefect leaves its health probe open (GET only, exact path)
OPEN_PATHS = frozenset({"/api/health"})


async def answer(send: Send, status: int, body: Any) -> None:
    content = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(content))]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


class ApiKeyGuard:
    """Every /api request but GET /api/health needs `Authorization: Bearer <key>`."""

    def __init__(self, app: ASGIApp, key: str) -> None:
        self.app = app
        self._expected = f"Bearer {key}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._needs_key(scope):
            await self.app(scope, receive, send)
            return
        given = b""
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                given = value
                break
        if not hmac.compare_digest(given, self._expected):
            await answer(send, 401, {"detail": "Unauthorized"})
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _needs_key(scope: Scope) -> bool:
        path = str(scope["path"])
        if path in OPEN_PATHS and scope.get("method") == "GET":
            return False
        return path == "/api" or path.startswith("/api/")

    def __repr__(self) -> str:  # never the key
        return "ApiKeyGuard(key=***)"


class BodyLimit:
    """413 for a body over `limit` bytes (or the limit `per_path` gives its path), by
    Content-Length or as it streams in."""

    def __init__(
        self, app: ASGIApp, limit: int = MAX_BODY_BYTES, per_path: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.default_limit = limit
        self.per_path = per_path or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.per_path.get(str(scope["path"]), self.default_limit)
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await answer(send, 413, {"detail": self._message(scope, limit)})
                return
        # read the whole body first (at most `limit` bytes are kept), then replay it
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > limit:
                await answer(send, 413, {"detail": self._message(scope, limit)})
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    def _message(scope: Scope, limit: int) -> str:
        if scope["path"] == RECORDS_PATH:
            return f"batch body over {limit} bytes; send fewer records per batch"
        return f"request body over {limit} bytes; send a smaller filter"
