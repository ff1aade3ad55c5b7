"""CustomWebhookNotificationBlock against a real HTTP server on 127.0.0.1.

The server records each request and answers what the test asks for; the
secret value is a sentinel that must never show in an error, a log line, a
repr or a raw file under HEADWATER_HOME.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pydantic
import pytest
from headwater.blocks.abstract import NotificationError
from headwater.blocks.notifications import CustomWebhookError, CustomWebhookNotificationBlock
from headwater.testing.conformance.blocks import BlockConformance

SECRET = "sentinel-TOKEN-9d41c7"


@dataclass
class Hook:
    """A webhook server: `answers` is a queue of (status, body, delay seconds) to reply with."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    answers: list[tuple[int, str, float]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def hook() -> Iterator[Hook]:
    state = Hook()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _handle(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            split = urllib.parse.urlsplit(self.path)
            state.requests.append(
                {
                    "method": self.command,
                    "path": split.path,
                    "query": dict(urllib.parse.parse_qsl(split.query)),
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "raw": raw.decode(),
                }
            )
            status, body, delay = state.answers.pop(0) if state.answers else (200, "ok", 0.0)
            time.sleep(delay)
            payload = body.encode()
            try:
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:  # the client gave up (timeout test)
                pass

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def webhook(hook: Hook, **fields: Any) -> CustomWebhookNotificationBlock:
    values: dict[str, Any] = {
        "name": "ops",
        "url": hook.url + "/hooks/{{token}}",
        "json_data": {"text": "{{subject}}\n{{body}}", "from": "{{name}}"},
        "secrets": {"token": SECRET},
    }
    values.update(fields)
    return CustomWebhookNotificationBlock(**values)


def test_json_template_with_secret_in_url_headers_and_params(
    hook: Hook, caplog: pytest.LogCaptureFixture
):
    with caplog.at_level(logging.DEBUG):
        webhook(
            hook,
            params={"channel": "alerts", "sig": "{{token}}"},
            headers={"Authorization": "Bearer {{token}}"},
            json_data={"text": "{{subject}}\n{{body}}", "meta": {"who": ["{{name}}"]}},
        ).notify("disk full", subject="host-1")
    assert "HTTP Request: POST" in caplog.text and SECRET not in caplog.text  # httpx's log line
    (sent,) = hook.requests
    assert sent["method"] == "POST" and sent["path"] == f"/hooks/{SECRET}"
    assert sent["query"] == {"channel": "alerts", "sig": SECRET}
    assert sent["headers"]["authorization"] == f"Bearer {SECRET}"
    assert sent["headers"]["user-agent"] == "headwater notifications"
    assert json.loads(sent["raw"]) == {"text": "host-1\ndisk full", "meta": {"who": ["ops"]}}


def test_subject_none_is_null_as_in_prefect(hook: Hook):
    webhook(hook).notify("body only")
    assert json.loads(hook.requests[0]["raw"])["text"] == "null\nbody only"


def test_form_data_dict_is_form_encoded_and_string_is_raw(hook: Hook):
    webhook(hook, json_data=None, form_data={"msg": "{{body}}", "k": "{{token}}"}).notify("hi")
    webhook(hook, json_data=None, method="PUT", form_data="raw {{body}} by {{name}}").notify("x")
    form, raw = hook.requests
    assert "x-www-form-urlencoded" in form["headers"]["content-type"]
    assert dict(urllib.parse.parse_qsl(form["raw"])) == {"msg": "hi", "k": SECRET}
    assert raw["method"] == "PUT" and raw["raw"] == "raw x by ops"


def test_cookies_and_get(hook: Hook):
    webhook(hook, method="GET", json_data=None, cookies={"session": "{{token}}"}).notify("x")
    (sent,) = hook.requests
    assert sent["method"] == "GET" and sent["headers"]["cookie"] == f"session={SECRET}"


def test_async_notify_and_notify_inside_a_loop(hook: Hook):
    async def main() -> None:
        block = webhook(hook)
        await block.anotify("one")
        await block.notify("two")  # a coroutine inside a running loop, as in Prefect

    asyncio.run(main())
    assert [json.loads(r["raw"])["text"] for r in hook.requests] == ["null\none", "null\ntwo"]


@pytest.mark.parametrize("field_name", ["url", "json_data", "headers", "params", "form_data"])
def test_unknown_placeholder_fails_at_construction_naming_it(hook: Hook, field_name: str):
    bad: dict[str, Any] = {
        "url": hook.url + "/{{tokn}}",
        "json_data": {"text": "{{tokn}}"},
        "headers": {"X-Key": "{{tokn}}"},
        "params": {"k": "{{ tokn }}"},
        "form_data": "{{tokn}}",
    }
    fields: dict[str, Any] = {field_name: bad[field_name]}
    if field_name == "form_data":
        fields["json_data"] = None
    with pytest.raises(pydantic.ValidationError) as caught:
        webhook(hook, **fields)
    message = str(caught.value)
    assert f"{field_name} refers to {{{{tokn}}}}" in message
    assert "keys now: token" in message and "'ops'" in message
    assert SECRET not in message


def test_form_and_json_together_are_refused(hook: Hook):
    with pytest.raises(pydantic.ValidationError, match="both form_data and json_data"):
        webhook(hook, form_data={"a": "b"})


@pytest.mark.parametrize(("status", "hint"), [(404, "check the URL"), (503, "try again later")])
def test_http_error_names_block_and_status_never_the_secret(
    hook: Hook, status: int, hint: str, caplog: pytest.LogCaptureFixture
):
    echo = f"no route for POST /hooks/{SECRET}?sig={SECRET}"
    hook.answers.append((status, echo, 0.0))
    block = webhook(hook)
    block.save("pager")
    block = CustomWebhookNotificationBlock.load("pager")
    with caplog.at_level(logging.DEBUG), pytest.raises(CustomWebhookError) as caught:
        block.notify("x")
    message = str(caught.value)
    assert "Custom Webhook 'ops' (block custom-webhook/pager)" in message
    assert f"HTTP {status}" in message and hint in message
    assert "/hooks/{{token}}" in message  # the template, not the filled-in URL
    assert "no route for POST /hooks/********" in message
    assert caught.value.status_code == status
    assert isinstance(caught.value, NotificationError)
    assert SECRET not in message and SECRET not in caplog.text
    assert caught.value.__cause__ is None and caught.value.__context__ is None


def test_http_error_async_is_the_same(hook: Hook):
    hook.answers.append((401, "bad token " + SECRET, 0.0))
    with pytest.raises(CustomWebhookError, match="HTTP 401.*check the token") as caught:
        asyncio.run(webhook(hook).anotify("x"))
    assert SECRET not in str(caught.value)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_url_names_the_host(hook: Hook):
    port = _closed_port()
    block = webhook(hook, url=f"http://127.0.0.1:{port}/hooks/{{{{token}}}}")
    with pytest.raises(CustomWebhookError, match=f"could not reach 127.0.0.1:{port}") as caught:
        block.notify("x")
    assert SECRET not in str(caught.value) and caught.value.status_code is None
    with pytest.raises(CustomWebhookError, match=f"127.0.0.1:{port}"):
        asyncio.run(block.anotify("x"))


def test_secret_in_the_host_is_masked(hook: Hook):
    block = webhook(hook, url="http://{{token}}.invalid/x")
    with pytest.raises(CustomWebhookError) as caught:
        block.notify("x")
    assert "could not reach ********.invalid" in str(caught.value)
    assert SECRET not in str(caught.value)


def test_timeout_is_reported_with_its_value(hook: Hook):
    hook.answers.append((200, "late", 2.0))
    with pytest.raises(CustomWebhookError, match=r"timed out after 0.3 s.*raise `timeout`"):
        webhook(hook, timeout=0.3).notify("x")


def test_private_urls_can_be_refused(hook: Hook):
    with pytest.raises(CustomWebhookError, match="private address.*allow_private_urls"):
        webhook(hook, allow_private_urls=False).notify("x")
    assert hook.requests == []


def test_secrets_masked_in_repr_and_encrypted_at_rest(hook: Hook, headwater_home: Path):
    block = webhook(hook)
    assert SECRET not in repr(block) and SECRET not in str(block.model_dump())
    block.save("ops-hook")
    for path in headwater_home.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), f"{path} holds the secret in clear"
    loaded = CustomWebhookNotificationBlock.load("ops-hook")
    loaded.notify("from a loaded block")
    assert hook.requests[0]["path"] == f"/hooks/{SECRET}"


def test_registered_as_a_core_block_type():
    from headwater.blocks.registry import block_types

    found = block_types()["custom-webhook"]
    assert found is CustomWebhookNotificationBlock
    assert found.get_block_type_name() == "Custom Webhook"
    assert "notify" in found.get_block_capabilities()


def test_import_headwater_does_not_import_httpx():
    code = (
        "import sys, headwater, headwater.blocks, headwater.blocks.notifications; "
        "assert 'httpx' not in sys.modules, 'httpx imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


class TestCustomWebhookConformance(BlockConformance):
    @pytest.fixture
    def block(self):
        return CustomWebhookNotificationBlock(
            name="conformance",
            url="http://127.0.0.1:9/{{token}}",
            json_data={"text": "{{body}}"},
            secrets={"token": "conformance-s3cr3t"},
        )


def test_model_copy_with_plain_secrets_still_sends(hook: Hook):
    copied = webhook(hook).model_copy(update={"secrets": {"token": "rotated"}})
    copied.notify("x")
    assert hook.requests[0]["path"] == "/hooks/rotated"
