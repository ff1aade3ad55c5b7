"""A fake Slack (Web API + incoming webhooks) over real HTTP on 127.0.0.1, one per test."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator

import pytest
from fake_slack import TOKEN, WEBHOOK_PATH, FakeSlack
from hw_services import missing_service


@pytest.fixture(autouse=True)
def _slack_sdk_installed() -> None:
    for module, pip in (("slack_sdk", "slack_sdk"), ("aiohttp", "aiohttp")):
        if importlib.util.find_spec(module) is None:
            missing_service(f"{module} (for the Slack tests)", f"pip install {pip}")


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(valid_tokens=(TOKEN,)).start()
    yield fake
    fake.stop()


@pytest.fixture
def webhook_url(fake_slack: FakeSlack) -> str:
    return fake_slack.webhook_url(WEBHOOK_PATH)
