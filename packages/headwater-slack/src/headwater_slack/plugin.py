"""Registers the Slack blocks; imports no slack_sdk until headwater asks for the classes."""

from __future__ import annotations

from typing import Any

from headwater.plugins import hookimpl


@hookimpl
def headwater_block_types() -> list[type[Any]]:
    from headwater_slack.credentials import SlackCredentials, SlackWebhook

    return [SlackCredentials, SlackWebhook]
