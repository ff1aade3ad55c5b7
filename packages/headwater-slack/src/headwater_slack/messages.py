"""Tasks that send Slack messages (`prefect_slack.messages`, with the rename).

Both are async tasks, as in Prefect: await them in an async flow; a sync
flow calling one runs it to completion and gets its result.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Optional, Union

import aiohttp
from headwater import task
from headwater.logging import get_run_logger
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from headwater_slack.credentials import SlackCredentials, SlackWebhook
from headwater_slack.errors import explain_api_error

if TYPE_CHECKING:
    import slack_sdk.models.attachments
    import slack_sdk.models.blocks

__all__ = ["send_chat_message", "send_incoming_webhook_message"]

Attachments = Optional[Sequence[Union[dict[str, Any], "slack_sdk.models.attachments.Attachment"]]]
SlackBlocks = Optional[Sequence[Union[dict[str, Any], "slack_sdk.models.blocks.Block"]]]


@task
async def send_chat_message(
    channel: str,
    slack_credentials: SlackCredentials,
    text: Optional[str] = None,
    attachments: Attachments = None,
    slack_blocks: SlackBlocks = None,
) -> dict[str, Any]:
    """Post a message to `channel` with `chat.postMessage`; returns Slack's response data.

    A failure raises SlackApiError whose message names the channel, Slack's
    error code (channel_not_found, invalid_auth, ...) and the fix.
    """
    get_run_logger().info("Posting chat message to %s", channel)
    client = slack_credentials.get_client()
    assert isinstance(client, AsyncWebClient)
    try:
        result = await client.chat_postMessage(
            channel=channel, text=text, blocks=slack_blocks, attachments=attachments
        )
    except SlackApiError as exc:
        raise explain_api_error(exc, "chat.postMessage", channel) from None
    except (OSError, aiohttp.ClientError) as exc:
        raise ConnectionError(
            f"Slack chat.postMessage could not reach {slack_credentials.base_url} "
            f"({type(exc).__name__}: {exc}): check SlackCredentials.base_url and the network."
        ) from None
    return dict(result.data) if isinstance(result.data, dict) else {"data": result.data}


@task
async def send_incoming_webhook_message(
    slack_webhook: SlackWebhook,
    text: Optional[str] = None,
    attachments: Attachments = None,
    slack_blocks: SlackBlocks = None,
) -> None:
    """Post a message through an incoming webhook; HTTP >= 400 raises NotificationError."""
    get_run_logger().info("Posting message to provided webhook")
    client = slack_webhook.get_client()
    assert isinstance(client, AsyncWebhookClient)
    try:
        response = await client.send(text=text, attachments=attachments, blocks=slack_blocks)
    except (OSError, aiohttp.ClientError) as exc:
        raise slack_webhook._unreachable(exc) from None
    slack_webhook._check(response, always_raise=True)
