"""slack_sdk clients as headwater builds them: rate limits waited out, URLs kept out of logs.

Every client retries a dropped connection once and an HTTP 429 up to
`RATE_LIMIT_RETRIES` times, sleeping for the `Retry-After` Slack sends
(slack_sdk's own retry handlers). slack_sdk logs each request's full URL; for
an incoming webhook the URL *is* the secret, so the clients log through
`headwater_slack.sdk`, whose filter cuts every URL down to its host.

slack_sdk is imported inside the functions that build clients, so that the
block classes (which import this module) load without it.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from slack_sdk.web import WebClient
    from slack_sdk.web.async_client import AsyncWebClient
    from slack_sdk.webhook import WebhookClient
    from slack_sdk.webhook.async_client import AsyncWebhookClient

__all__ = ["RATE_LIMIT_RETRIES", "SDK_LOGGER", "hide_url_paths", "web_client", "webhook_client"]

#: how many times a call answered with HTTP 429 is retried after `Retry-After`
RATE_LIMIT_RETRIES = 3

_URL_PATH = re.compile(r"(\bhttps?://[^/\s'\"<>]+)/[^\s'\"<>]*")


def hide_url_paths(text: str) -> str:
    """`text` with every URL cut to its host: `https://hooks.slack.com/...`."""
    return _URL_PATH.sub(r"\1/...", text)


class _HideUrlPaths(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = hide_url_paths(str(record.msg))
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(hide_url_paths(a) if isinstance(a, str) else a for a in args)
        return True


SDK_LOGGER = logging.getLogger("headwater_slack.sdk")
SDK_LOGGER.addFilter(_HideUrlPaths())


def _retries(async_client: bool) -> list[Any]:
    if async_client:
        from slack_sdk.http_retry.builtin_async_handlers import (
            AsyncConnectionErrorRetryHandler,
            AsyncRateLimitErrorRetryHandler,
        )

        return [
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ]
    from slack_sdk.http_retry.builtin_handlers import (
        ConnectionErrorRetryHandler,
        RateLimitErrorRetryHandler,
    )

    return [
        ConnectionErrorRetryHandler(),
        RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
    ]


def web_client(token: str, base_url: str, sync_client: bool) -> WebClient | AsyncWebClient:
    """A Web API client for `token` at `base_url`."""
    if sync_client:
        from slack_sdk.web import WebClient

        return WebClient(
            token=token, base_url=base_url, logger=SDK_LOGGER, retry_handlers=_retries(False)
        )
    from slack_sdk.web.async_client import AsyncWebClient

    return AsyncWebClient(
        token=token, base_url=base_url, logger=SDK_LOGGER, retry_handlers=_retries(True)
    )


def webhook_client(url: str, sync_client: bool) -> WebhookClient | AsyncWebhookClient:
    """An incoming-webhook client posting to `url`."""
    if sync_client:
        from slack_sdk.webhook import WebhookClient

        return WebhookClient(url=url, logger=SDK_LOGGER, retry_handlers=_retries(False))
    from slack_sdk.webhook.async_client import AsyncWebhookClient

    return AsyncWebhookClient(url=url, logger=SDK_LOGGER, retry_handlers=_retries(True))
