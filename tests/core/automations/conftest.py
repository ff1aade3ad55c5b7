"""A webhook receiver on 127.0.0.1 and a saved CustomWebhookNotificationBlock pointing at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from headwater.blocks.notifications import CustomWebhookNotificationBlock
from hw_webhook import Receiver, webhook_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as state:
        yield state


@pytest.fixture
def ops_block(receiver: Receiver) -> str:
    """Saves `custom-webhook/ops` posting {"subject": ..., "body": ...}; returns its name."""
    CustomWebhookNotificationBlock(
        name="ops", url=receiver.url, json_data={"subject": "{{subject}}", "body": "{{body}}"}
    ).save("ops")
    return "custom-webhook/ops"
