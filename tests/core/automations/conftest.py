"""A webhook receiver on 127.0.0.1 and a saved CustomWebhookNotificationBlock pointing at it."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from headwater.blocks.notifications import CustomWebhookNotificationBlock


class Receiver:
    """Collects JSON bodies posted to it; answers `status` (200 unless told)."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.status = 200
        self.url = ""
        self.arrived = threading.Condition()

    def wait_for(self, count: int, timeout: float = 20.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.messages) < count and time.monotonic() < deadline:
                self.arrived.wait(0.1)
        return list(self.messages)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with state.arrived:
                state.messages.append(json.loads(raw or b"{}"))
                state.arrived.notify_all()
            self.send_response(state.status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def ops_block(receiver: Receiver) -> str:
    """Saves `custom-webhook/ops` posting {"subject": ..., "body": ...}; returns its name."""
    CustomWebhookNotificationBlock(
        name="ops", url=receiver.url, json_data={"subject": "{{subject}}", "body": "{{body}}"}
    ).save("ops")
    return "custom-webhook/ops"
