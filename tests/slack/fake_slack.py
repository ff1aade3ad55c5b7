"""A recording stand-in for Slack's Web API and incoming webhooks, over real HTTP on 127.0.0.1.

slack_sdk talks to it unchanged (through `base_url` / the webhook URL). It
answers as Slack does: Web API calls with `{"ok": ..., ...}` JSON (parsing
JSON and form-encoded requests), a missing or unknown bearer token with
`invalid_auth` / `not_authed`, webhooks with the text `ok`. Tests queue
failures per method: `fake.fail("chat.postMessage", "ratelimited", status=429)`.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

WEBHOOK = "webhook"  # the queue name for failures of incoming-webhook posts

#: what the tests use as a bot token and a webhook path (names in conftest would clash
#: with other packages' conftest modules when `nox -s all` collects every folder at once)
TOKEN = "xoxb-test-token"
WEBHOOK_PATH = "T000/B000/hook-SECRET-path-5f2a"


@dataclass
class Failure:
    error: str  # Slack's error code, e.g. "channel_not_found"
    status: int = 200  # Slack answers most API errors with 200 and ok: false
    retry_after: int | None = None  # seconds, sent as Retry-After (with status 429)


@dataclass
class Recorded:
    method: str  # "chat.postMessage", or WEBHOOK
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class FakeSlack:
    """Start with `.start()`; `.requests` lists every request it received."""

    def __init__(self, valid_tokens: tuple[str, ...] = ("xoxb-test-token",)) -> None:
        self.valid_tokens = set(valid_tokens)
        self.requests: list[Recorded] = []
        self._failures: dict[str, deque[Failure]] = defaultdict(deque)
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.host, self.port = self.httpd.server_address[:2]
        self.api_url = f"http://{self.host}:{self.port}/api/"
        self._thread: threading.Thread | None = None

    def webhook_url(self, path: str = "T000/B000/XXXXSECRETXXXX") -> str:
        return f"http://{self.host}:{self.port}/services/{path}"

    def fail(
        self,
        method: str,
        error: str,
        status: int = 200,
        times: int = 1,
        retry_after: int | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` (or WEBHOOK) with `error`."""
        with self._lock:
            for _ in range(times):
                self._failures[method].append(Failure(error, status, retry_after))

    def next_failure(self, method: str) -> Failure | None:
        with self._lock:
            queue = self._failures.get(method)
            return queue.popleft() if queue else None

    def calls(self, method: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method]

    def start(self) -> FakeSlack:
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = _parse(raw, self.headers.get("Content-Type", ""))
            path = self.path.split("?")[0]
            method = WEBHOOK if path.startswith("/services/") else path.rsplit("/", 1)[-1]
            fake.requests.append(Recorded(method, self.path, dict(self.headers), body))
            failure = fake.next_failure(method)
            if method == WEBHOOK:
                if failure is not None:
                    return self._reply(failure.status, failure.error.encode(), "text/html", failure)
                if not body.get("text") and not body.get("blocks") and not body.get("attachments"):
                    return self._reply(400, b"no_text", "text/html")
                return self._reply(200, b"ok", "text/html")
            if failure is not None:
                payload = json.dumps({"ok": False, "error": failure.error}).encode()
                return self._reply(failure.status, payload, "application/json", failure)
            self._answer_api(method, body)

        do_GET = do_POST

        def _answer_api(self, method: str, body: dict[str, Any]) -> None:
            auth = self.headers.get("Authorization", "")
            if not auth.startswith("Bearer "):
                return self._json({"ok": False, "error": "not_authed"})
            if auth.removeprefix("Bearer ") not in fake.valid_tokens:
                return self._json({"ok": False, "error": "invalid_auth"})
            if method == "chat.postMessage":
                if not body.get("channel"):
                    return self._json({"ok": False, "error": "channel_not_found"})
                message = {k: body.get(k) for k in ("text", "blocks", "attachments")}
                return self._json(
                    {
                        "ok": True,
                        "channel": body["channel"],
                        "ts": f"{time.time():.6f}",
                        "message": message,
                    }  # fmt: skip
                )
            if method == "auth.test":
                return self._json({"ok": True, "team": "T", "user": "bot", "team_id": "T000"})
            self._json({"ok": False, "error": "unknown_method"})

        def _json(self, payload: dict[str, Any]) -> None:
            self._reply(200, json.dumps(payload).encode(), "application/json; charset=utf-8")

        def _reply(
            self, status: int, payload: bytes, ctype: str, failure: Failure | None = None
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(payload)))
            if failure is not None and failure.retry_after is not None:
                self.send_header("Retry-After", str(failure.retry_after))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


def _parse(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type:
        parsed = json.loads(raw)
        return parsed if isinstance(parsed, dict) else {"_": parsed}
    return {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
