"""SlackWebhook against a fake Slack: messages, failures told without the URL, retries."""

from __future__ import annotations

import asyncio
import logging
import socket
import time

import pytest
from fake_slack import WEBHOOK, WEBHOOK_PATH, FakeSlack
from headwater import flow
from headwater.blocks.abstract import NotificationError
from headwater_slack import SlackWebhook, send_incoming_webhook_message


def test_notify_posts_subject_and_body(fake_slack: FakeSlack, webhook_url: str):
    hook = SlackWebhook(url=webhook_url)
    hook.notify("all 12 tasks completed", subject="nightly load")
    hook.notify("just the body")
    texts = [r.body["text"] for r in fake_slack.calls(WEBHOOK)]
    assert texts == ["nightly load\nall 12 tasks completed", "just the body"]
    assert fake_slack.calls(WEBHOOK)[0].path == f"/services/{WEBHOOK_PATH}"


def test_notify_inside_an_event_loop_is_awaitable(fake_slack: FakeSlack, webhook_url: str):
    async def main() -> None:
        await SlackWebhook(url=webhook_url).notify("from async", subject="s")
        await SlackWebhook(url=webhook_url).notify_async("direct")

    asyncio.run(main())
    assert [r.body["text"] for r in fake_slack.calls(WEBHOOK)] == ["s\nfrom async", "direct"]


def test_get_client_sync_and_async(webhook_url: str):
    from slack_sdk.webhook import WebhookClient
    from slack_sdk.webhook.async_client import AsyncWebhookClient

    hook = SlackWebhook(url=webhook_url)
    assert isinstance(hook.get_client(), AsyncWebhookClient)
    sync = hook.get_client(sync_client=True)
    assert isinstance(sync, WebhookClient)
    assert sync.send(text="raw client").status_code == 200


@pytest.mark.parametrize(
    ("status", "code"), [(404, "no_service"), (403, "invalid_token"), (500, "")]
)
def test_http_error_raises_inside_raise_on_failure(
    fake_slack: FakeSlack, webhook_url: str, status: int, code: str
):
    fake_slack.fail(WEBHOOK, code, status=status)
    hook = SlackWebhook(url=webhook_url)
    hook.save("ops-alerts")
    hook = SlackWebhook.load("ops-alerts")
    with pytest.raises(NotificationError) as caught, hook.raise_on_failure():
        hook.notify("boom")
    message = str(caught.value)
    assert "'ops-alerts'" in message and f"HTTP {status}" in message
    assert fake_slack.host in message
    assert WEBHOOK_PATH not in message and "SECRET" not in message
    if code:
        assert code in message and "create a new incoming webhook" in message


def test_http_error_outside_raise_on_failure_is_a_warning(
    fake_slack: FakeSlack, webhook_url: str, caplog: pytest.LogCaptureFixture
):
    fake_slack.fail(WEBHOOK, "channel_is_archived", status=410)
    with caplog.at_level(logging.DEBUG):
        SlackWebhook(url=webhook_url).notify("quiet failure")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("HTTP 410" in w and "archived" in w for w in warnings), warnings
    assert "SECRET" not in caplog.text


def test_server_echoing_the_url_does_not_leak_it(fake_slack: FakeSlack, webhook_url: str):
    fake_slack.fail(WEBHOOK, f"bad request to {webhook_url} ({WEBHOOK_PATH})", status=400)
    with pytest.raises(NotificationError) as caught:
        hook = SlackWebhook(url=webhook_url)
        with hook.raise_on_failure():
            hook.notify("x")
    assert "SECRET" not in str(caught.value) and "HTTP 400" in str(caught.value)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_webhook_names_the_host_not_the_url(caplog: pytest.LogCaptureFixture):
    port = _closed_port()
    hook = SlackWebhook(url=f"http://127.0.0.1:{port}/services/{WEBHOOK_PATH}")
    with caplog.at_level(logging.DEBUG), pytest.raises(NotificationError) as caught:
        hook.notify("nobody listens")
    message = str(caught.value)
    assert f"could not reach 127.0.0.1:{port}" in message and "refused" in message.lower()
    assert "SECRET" not in message
    assert "SECRET" not in caplog.text  # slack_sdk logs the retry with the request's URL

    with pytest.raises(NotificationError) as caught_async:
        asyncio.run(hook.notify_async("nobody listens"))
    assert f"127.0.0.1:{port}" in str(caught_async.value)
    assert "SECRET" not in str(caught_async.value)


def test_rate_limited_webhook_waits_for_retry_after(fake_slack: FakeSlack, webhook_url: str):
    fake_slack.fail(WEBHOOK, "rate_limited", status=429, retry_after=1)
    hook = SlackWebhook(url=webhook_url)
    with hook.raise_on_failure():
        hook.notify("after a wait")
    first, second = fake_slack.calls(WEBHOOK)
    assert second.at - first.at >= 1.0
    assert second.body["text"] == "after a wait"


def test_incoming_webhook_task_in_sync_and_async_flows(fake_slack: FakeSlack, webhook_url: str):
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*done*"}}]
    attachments = [{"color": "#36a64f", "text": "green"}]

    @flow
    def sync_flow() -> None:
        send_incoming_webhook_message(
            SlackWebhook(url=webhook_url), text="sync", slack_blocks=blocks
        )

    @flow
    async def async_flow() -> None:
        await send_incoming_webhook_message(
            slack_webhook=SlackWebhook(url=webhook_url), text="async", attachments=attachments
        )

    sync_flow()
    asyncio.run(async_flow())
    sync_call, async_call = fake_slack.calls(WEBHOOK)
    assert sync_call.body["text"] == "sync" and sync_call.body["blocks"] == blocks
    assert async_call.body["text"] == "async" and async_call.body["attachments"] == attachments


def test_incoming_webhook_task_raises_on_http_error(fake_slack: FakeSlack, webhook_url: str):
    fake_slack.fail(WEBHOOK, "invalid_payload", status=400)

    @flow
    def posting() -> None:
        send_incoming_webhook_message(SlackWebhook(url=webhook_url), text="x")

    started = time.monotonic()
    with pytest.raises(NotificationError, match="invalid_payload"):
        posting()
    assert time.monotonic() - started < 60
