"""send_chat_message and SlackCredentials against a fake Slack Web API."""

from __future__ import annotations

import asyncio
import socket

import pytest
from fake_slack import TOKEN, FakeSlack
from headwater import flow
from headwater_slack import SlackCredentials, send_chat_message
from headwater_slack.clients import RATE_LIMIT_RETRIES
from headwater_slack.credentials import SLACK_API_URL
from slack_sdk.errors import SlackApiError


def creds(fake: FakeSlack, token: str = TOKEN) -> SlackCredentials:
    return SlackCredentials(token=token, base_url=fake.api_url)


def test_base_url_defaults_to_slack():
    assert SlackCredentials(token="xoxb-x").base_url == SLACK_API_URL == "https://slack.com/api/"


def test_send_chat_message_from_a_sync_flow(fake_slack: FakeSlack):
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]

    @flow
    def notify() -> dict:
        return send_chat_message("#alerts", creds(fake_slack), text="hi", slack_blocks=blocks)

    data = notify()
    assert data["ok"] is True and data["channel"] == "#alerts"
    (call,) = fake_slack.calls("chat.postMessage")
    assert call.headers["Authorization"] == f"Bearer {TOKEN}"
    assert "json" in call.headers["Content-Type"]
    assert call.body["text"] == "hi" and call.body["blocks"] == blocks


def test_send_chat_message_from_an_async_flow(fake_slack: FakeSlack):
    @flow
    async def notify() -> dict:
        return await send_chat_message(
            channel="C123", slack_credentials=creds(fake_slack), text="async",
            attachments=[{"text": "a"}],
        )  # fmt: skip

    assert asyncio.run(notify())["message"]["attachments"] == [{"text": "a"}]


def test_sync_client_and_form_encoded_calls(fake_slack: FakeSlack):
    from slack_sdk import WebClient

    client = creds(fake_slack).get_client(sync_client=True)
    assert isinstance(client, WebClient)
    client.api_call("chat.postMessage", data={"channel": "C9", "text": "form body"})
    (call,) = fake_slack.calls("chat.postMessage")
    assert "x-www-form-urlencoded" in call.headers["Content-Type"]
    assert call.body == {"channel": "C9", "text": "form body"}


def test_channel_not_found_names_the_channel_and_the_fix(fake_slack: FakeSlack):
    fake_slack.fail("chat.postMessage", "channel_not_found")

    @flow
    def notify() -> dict:
        return send_chat_message("#no-such-channel", creds(fake_slack), text="x")

    with pytest.raises(SlackApiError) as caught:
        notify()
    message = str(caught.value)
    assert "'#no-such-channel'" in message and "channel_not_found" in message
    assert "invite the app" in message
    assert caught.value.response["error"] == "channel_not_found"


def test_wrong_token_is_invalid_auth_without_the_token(fake_slack: FakeSlack):
    wrong = "xoxb-wrong-SENTINEL-token"

    @flow
    def notify() -> dict:
        return send_chat_message("#alerts", creds(fake_slack, wrong), text="x")

    with pytest.raises(SlackApiError, match="invalid_auth") as caught:
        notify()
    assert "SENTINEL" not in str(caught.value) and "check the token" in str(caught.value)


def test_rate_limit_waits_for_retry_after_then_succeeds(fake_slack: FakeSlack):
    fake_slack.fail("chat.postMessage", "ratelimited", status=429, retry_after=1)

    @flow
    def notify() -> dict:
        return send_chat_message("#alerts", creds(fake_slack), text="patient")

    assert notify()["ok"] is True
    first, second = fake_slack.calls("chat.postMessage")
    assert second.at - first.at >= 1.0


def test_rate_limit_that_persists_gives_up_with_ratelimited(fake_slack: FakeSlack):
    fake_slack.fail("chat.postMessage", "ratelimited", status=429, retry_after=0, times=10)

    @flow
    def notify() -> dict:
        return send_chat_message("#alerts", creds(fake_slack), text="never")

    with pytest.raises(SlackApiError, match="ratelimited") as caught:
        notify()
    assert "send less often" in str(caught.value)
    assert len(fake_slack.calls("chat.postMessage")) == RATE_LIMIT_RETRIES + 1


def test_unreachable_api_names_the_base_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}/api/"

    @flow
    def notify() -> dict:
        return send_chat_message("#alerts", SlackCredentials(token=TOKEN, base_url=base), text="x")

    with pytest.raises(ConnectionError) as caught:
        notify()
    assert base in str(caught.value) and "base_url" in str(caught.value)
    assert TOKEN not in str(caught.value)
