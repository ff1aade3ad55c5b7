"""Listing and loading Slack blocks imports neither slack_sdk nor aiohttp (DESIGN.md: plugins
import no SDK until used), so `Block.load(...)` and `headwater block types` stay cheap."""

from __future__ import annotations

import subprocess
import sys

SDK_MODULES = ("slack_sdk", "aiohttp")

_SCRIPT = """
import sys

from click.testing import CliRunner
from headwater.blocks.core import Block
from headwater.blocks.registry import block_types
from headwater.cli.main import build_cli
from headwater_slack import plugin

classes = plugin.headwater_block_types()
assert {c.__name__ for c in classes} == {"SlackCredentials", "SlackWebhook"}, classes
assert "slack-incoming-webhook" in block_types() and "slack-credentials" in block_types()
listing = CliRunner().invoke(build_cli(), ["block", "types", "-o", "json"])
assert listing.exit_code == 0 and "slack-incoming-webhook" in listing.output, listing.output

from headwater_slack import SlackCredentials, SlackWebhook

SlackWebhook(url="https://hooks.slack.com/services/T/B/X").save("hook")
SlackCredentials(token="xoxb-not-used").save("bot")
hook = Block.load("slack-incoming-webhook/hook")
assert hook.url.get_secret_value() == "https://hooks.slack.com/services/T/B/X"
assert SlackCredentials.load("bot").token.get_secret_value() == "xoxb-not-used"

loaded = sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[1:]))
assert not loaded, f"imported while listing/loading Slack blocks: {loaded}"
"""


def test_block_types_hook_and_load_save_import_no_slack_sdk() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, *SDK_MODULES], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_sending_still_imports_the_sdk_when_needed() -> None:
    """The lazy imports are where the sending code needs them: building a client works."""
    from headwater_slack import SlackCredentials, SlackWebhook
    from slack_sdk.web import WebClient
    from slack_sdk.webhook.async_client import AsyncWebhookClient

    assert isinstance(SlackCredentials(token="xoxb-x").get_client(sync_client=True), WebClient)
    client = SlackWebhook(url="https://hooks.slack.com/services/T/B/X").get_client()
    assert isinstance(client, AsyncWebhookClient)
