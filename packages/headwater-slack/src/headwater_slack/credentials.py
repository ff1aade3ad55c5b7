"""Slack blocks: `SlackCredentials` (a bot token) and `SlackWebhook` (an incoming webhook).

Prefect's names and behaviour (`prefect_slack.credentials`), plus:
`SlackCredentials.base_url` (where the Web API lives, for a proxy or a test
server) and `get_client(sync_client=True)`; a webhook that answers HTTP >= 400
outside `raise_on_failure()` is logged as a warning instead of passing
silently; an unreachable webhook raises NotificationError naming the host.

slack_sdk, aiohttp and asyncio are imported only by the methods that send, so listing
or loading these blocks does not import them.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Optional, Union
from urllib.parse import urlsplit

from headwater.blocks.abstract import NotificationBlock, NotificationError
from headwater.blocks.core import Block
from headwater.utilities.loops import loop_running
from pydantic import Field, SecretStr

from headwater_slack.clients import web_client, webhook_client
from headwater_slack.errors import hint_for

if TYPE_CHECKING:
    from slack_sdk.web import WebClient
    from slack_sdk.web.async_client import AsyncWebClient
    from slack_sdk.webhook import WebhookClient, WebhookResponse
    from slack_sdk.webhook.async_client import AsyncWebhookClient

__all__ = ["SLACK_API_URL", "SlackCredentials", "SlackWebhook"]

#: Slack's Web API, the default `SlackCredentials.base_url`
SLACK_API_URL = "https://slack.com/api/"

_LOGO = "https://cdn.sanity.io/images/3ugk85nk/production/c1965ecbf8704ee1ea20d77786de9a41ce1087d1-500x500.png"
_DOCS = "https://docs.headwater.dev/slack/"
_log = logging.getLogger("headwater_slack")


class SlackCredentials(Block):
    """A Slack bot token, for tasks that call the Web API (`send_chat_message`)."""

    _block_type_name = "Slack Credentials"
    _logo_url = _LOGO
    _documentation_url = _DOCS

    token: SecretStr = Field(
        default=...,
        description="Bot user OAuth token for the Slack app used to perform actions.",
    )
    base_url: str = Field(
        default=SLACK_API_URL,
        description=(
            "Where the Slack Web API lives. Change it only for a proxy or a local test "
            "server (not in Prefect's block)."
        ),
    )

    def get_client(self, sync_client: bool = False) -> Union[AsyncWebClient, WebClient]:
        """An authenticated `AsyncWebClient` (as in Prefect), or a `WebClient` with `sync_client=True`.

        Both wait out HTTP 429 answers for as long as Slack's `Retry-After` says.
        """
        return web_client(self.token.get_secret_value(), self.base_url, sync_client)


class SlackWebhook(NotificationBlock):
    """A Slack incoming webhook: `notify()` posts a message to its channel."""

    _block_type_name = "Slack Incoming Webhook"
    _logo_url = _LOGO
    _documentation_url = _DOCS
    _code_example = """
        from headwater_slack import SlackWebhook

        slack_webhook_block = SlackWebhook.load("BLOCK_NAME")
        slack_webhook_block.notify("Hello, world!")
    """

    url: SecretStr = Field(
        default=...,
        title="Webhook URL",
        description="Slack webhook URL which can be used to send messages.",
        examples=["https://hooks.slack.com/XXX"],
    )

    def get_client(self, sync_client: bool = False) -> Union[AsyncWebhookClient, WebhookClient]:
        """An `AsyncWebhookClient` for this webhook, or a `WebhookClient` with `sync_client=True`."""
        return webhook_client(self.url.get_secret_value(), sync_client)

    def notify(self, body: str, subject: Optional[str] = None, _sync: Optional[bool] = None) -> Any:
        """Post `f"{subject}\\n{body}"` (or `body` alone) to the webhook's channel.

        As in Prefect, inside a running event loop this returns a coroutine to
        await (`notify_async`); `_sync=True` forces the blocking call.
        """
        if _sync is False or (_sync is None and loop_running()):
            return self.notify_async(body, subject)
        from slack_sdk.webhook import WebhookClient

        client = self.get_client(sync_client=True)
        assert isinstance(client, WebhookClient)
        try:
            response = client.send(text=_format_text(body, subject))
        except OSError as exc:  # urllib's URLError, refused connections, timeouts
            raise self._unreachable(exc) from None
        self._check(response)
        return None

    async def notify_async(self, body: str, subject: Optional[str] = None) -> None:
        """`notify`, without blocking the event loop."""
        import asyncio

        import aiohttp
        from slack_sdk.webhook.async_client import AsyncWebhookClient

        client = self.get_client()
        assert isinstance(client, AsyncWebhookClient)
        try:
            response = await client.send(text=_format_text(body, subject))
        except (OSError, aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise self._unreachable(exc) from None
        self._check(response)

    # --- failures, told without the URL -----------------------------------------
    def _label(self) -> str:
        saved = self._block_document_name
        return "Slack Incoming Webhook" + (f" block {saved!r}" if saved else "")

    def _host(self) -> str:
        return urlsplit(self.url.get_secret_value()).netloc or "(no host in the URL)"

    def _unreachable(self, exc: BaseException) -> NotificationError:
        reason = getattr(exc, "reason", None) or exc
        reason_text = self._hide_url(str(reason)) or type(exc).__name__
        return NotificationError(
            f"{self._label()} could not reach {self._host()} ({reason_text}): check the "
            "webhook URL and the network."
        )

    def _check(self, response: WebhookResponse, always_raise: bool = False) -> None:
        """Raise (inside `raise_on_failure()`, or if `always_raise`) or warn on HTTP >= 400."""
        if response.status_code < 400:
            return
        code = self._hide_url(str(response.body or "").strip())[:200]
        hint = hint_for(code)
        message = (
            f"{self._label()} failed to send a message: HTTP {response.status_code} from "
            f"{self._host()}" + (f", {code!r}" if code else "") + (f": {hint}." if hint else ".")
        )
        if always_raise or self._raise_on_failure:
            raise NotificationError(message)
        _log.warning("%s", message)

    def _hide_url(self, text: str) -> str:
        """`text` without the URL, its path, or any long piece of the path (the secret part)."""
        url = self.url.get_secret_value()
        text = text.replace(url, f"{self._host()}/...")
        path = urlsplit(url).path.strip("/")
        pieces = [path, path.removeprefix("services/"), *path.split("/")]
        for piece in sorted(pieces, key=len, reverse=True):
            if len(piece) >= 8:
                text = text.replace(piece, "...")
        return text


def _format_text(body: str, subject: Optional[str]) -> str:
    return f"{subject}\n{body}" if subject else body
