"""One HTTP client for what a process asks a headwater server (HEADWATER_API_URL).

Reading history, saving blocks and automations all call the server the same way:
`Authorization: Bearer HEADWATER_API_KEY`, one keep-alive httpx client, and the
same plain-language errors for what users hit (server down, key refused, a 4xx
with the server's `detail`), raised as the caller's own error class so each
feature keeps its exception types. The key never appears in a repr or message.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    import httpx

__all__ = ["ApiClient", "epoch", "shared_client", "shown_url"]

T = TypeVar("T")


def epoch(text: str | None) -> float | None:
    """An ISO 8601 time as the server writes it (`...Z` or `+00:00`) -> epoch seconds."""
    if text is None:
        return None
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


#: (factory, url) -> (pid, digest of the key, the client made for them)
_shared: dict[tuple[Callable[..., Any], str], tuple[int, str, Any]] = {}
_shared_lock = threading.Lock()
#: a forked child's copies of its parent's clients: kept, never used nor closed
_inherited: list[Any] = []


def _forget_shared_in_child() -> None:
    """A forked child starts with no clients of its parent (httpx clients are not
    fork-safe) and a free lock (another thread may have held it at the fork)."""
    global _shared_lock
    _shared_lock = threading.Lock()
    _inherited.extend(entry[2] for entry in _shared.values())  # closing would touch
    _shared.clear()  # the sockets the parent still uses


os.register_at_fork(after_in_child=_forget_shared_in_child)


def shared_client(factory: Callable[[str, str | None], T], url: str, api_key: str | None) -> T:
    """The process's one `factory(url, api_key)`: reused while the process, the server
    and the key stay the same; made afresh in a forked child, and once the key changed
    (a user who fixes HEADWATER_API_KEY mid-session is not left with the old one; the
    old client is closed).

    Only a digest of the key is kept here, so no repr of this cache shows it.
    """
    pid = os.getpid()
    digest = hashlib.sha256(api_key.encode()).hexdigest() if api_key else ""
    scope = (factory, url)
    with _shared_lock:
        found = _shared.get(scope)
        if found is not None and found[0] == pid and found[1] == digest:
            client: T = found[2]
            return client
        client = factory(url, api_key)
        _shared[scope] = (pid, digest, client)
    if found is not None and found[0] == pid:
        close = getattr(found[2], "close", None)
        if close is not None:
            close()
    return client


def shown_url(url: str) -> str:
    """`url` without a password, fit for a message."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


class ApiClient:
    """Calls to the server at `url` (ending in /api); failures raise `error(message)`."""

    def __init__(
        self,
        url: str,
        api_key: str | None,
        error: type[Exception],
        *,
        timeout: float = 30.0,
        local_alternative: str = "this machine's home",
    ) -> None:
        self.url = url.rstrip("/")
        self._api_key = api_key
        self._error = error
        self._timeout = timeout
        self._local = local_alternative
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ApiClient({shown_url(self.url)!r})"

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def _connection(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                import httpx

                key = self._api_key
                headers = {"Authorization": f"Bearer {key}"} if key else {}
                self._client = httpx.Client(
                    base_url=self.url, headers=headers, timeout=self._timeout
                )
            return self._client

    def request(
        self,
        method: str,
        path: str,
        *,
        missing_ok: bool = False,
        conflict: type[Exception] | None = None,
        **kwargs: Any,
    ) -> Any:
        """The answer's JSON (None for 204, or for 404 when `missing_ok`); a 409 raises
        `conflict(detail)` when given; anything else that failed raises the error class."""
        response = self._send(method, path, missing_ok, conflict, kwargs)
        if response is None or response.status_code == 204 or not response.content:
            return None
        return response.json()

    def found(self, method: str, path: str, **kwargs: Any) -> bool:
        """Do `method` on `path`: True when the server did, False when it answered 404."""
        return self._send(method, path, True, None, kwargs) is not None

    def _send(
        self,
        method: str,
        path: str,
        missing_ok: bool,
        conflict: type[Exception] | None,
        kwargs: dict[str, Any],
    ) -> httpx.Response | None:
        import httpx

        where = shown_url(self.url)
        try:
            response = self._connection().request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise self._error(
                f"the headwater server at {where} cannot be reached ({type(exc).__name__}: "
                f"{exc}); start it (`headwater server start`), or to use {self._local} unset "
                "HEADWATER_API_URL (or switch profile: `headwater profile use NAME`)"
            ) from None
        status = response.status_code
        if status == 401:
            given = "refused the API key it was sent" if self._api_key else "needs an API key"
            raise self._error(
                f"the headwater server at {where} {given} (401 Unauthorized); set "
                "HEADWATER_API_KEY (environment or profile) to the key the server was started "
                "with (its HEADWATER_SERVER_API_KEY)"
            )
        if status == 404 and missing_ok:
            return None
        if status == 409 and conflict is not None:
            raise conflict(_detail(response))
        if status >= 400:
            raise self._error(
                f"the headwater server at {where} answered {status} to {method} {path}: "
                f"{_detail(response)}"
            )
        return response


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:500]
    return str(body.get("detail", body)) if isinstance(body, dict) else str(body)
