"""The Slack blocks: registration, conformance, CLI creation, secrets never in the clear."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fake_slack import TOKEN, WEBHOOK, FakeSlack
from headwater.testing.conformance.blocks import BlockConformance

REPO = Path(__file__).resolve().parents[2]


class TestSlackWebhookConformance(BlockConformance):
    @pytest.fixture
    def block(self):
        from headwater_slack import SlackWebhook

        return SlackWebhook(url="https://hooks.slack.com/services/T0/B0/conformance-s3cr3t")


class TestSlackCredentialsConformance(BlockConformance):
    @pytest.fixture
    def block(self):
        from headwater_slack import SlackCredentials

        return SlackCredentials(token="xoxb-conformance-s3cr3t", base_url="http://127.0.0.1:9/api/")


def test_plugin_registers_the_blocks_with_prefect_names():
    from headwater.blocks.abstract import NotificationBlock
    from headwater.blocks.registry import block_types

    types = block_types()
    webhook, credentials = types["slack-incoming-webhook"], types["slack-credentials"]
    assert webhook.get_block_type_name() == "Slack Incoming Webhook"
    assert credentials.get_block_type_name() == "Slack Credentials"
    assert issubclass(webhook, NotificationBlock) and "notify" in webhook.get_block_capabilities()
    assert "custom-webhook" in types  # core's, beside them
    assert "slack-webhook" not in types  # Prefect's Apprise block is not added


def test_prefect_module_paths():
    import headwater_slack
    from headwater_slack.credentials import SlackCredentials, SlackWebhook
    from headwater_slack.messages import send_chat_message, send_incoming_webhook_message

    assert headwater_slack.SlackWebhook is SlackWebhook
    assert headwater_slack.SlackCredentials is SlackCredentials
    assert headwater_slack.send_chat_message is send_chat_message
    assert headwater_slack.send_incoming_webhook_message is send_incoming_webhook_message


def test_importing_the_package_and_plugin_loads_no_slack_sdk():
    code = (
        "import sys, headwater_slack, headwater_slack.plugin; "
        "assert 'slack_sdk' not in sys.modules and 'aiohttp' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def headwater(*args: str, secret: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; from headwater.cli.main import main; sys.argv[0] = 'headwater'; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
    )
    assert secret not in done.stdout + done.stderr, "the secret was printed"
    return done


def test_blocks_created_with_the_cli_work_and_stay_secret(
    fake_slack: FakeSlack, webhook_url: str, headwater_home: Path
):
    made = headwater(
        "block", "create", "slack-incoming-webhook", "ops", "--set", f"url={webhook_url}",
        secret=webhook_url.rsplit("/", 1)[-1],
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    creds = headwater(
        "block", "create", "slack-credentials", "bot",
        "--set", f"token={TOKEN}", "--set", f"base_url={fake_slack.api_url}",
        secret=TOKEN,
    )  # fmt: skip
    assert creds.returncode == 0, creds.stderr
    shown = headwater("block", "inspect", "slack-incoming-webhook/ops", secret="SECRET")
    assert shown.returncode == 0 and "url" in shown.stdout

    from headwater_slack import SlackCredentials, SlackWebhook

    SlackWebhook.load("ops").notify("from the CLI block")
    assert fake_slack.calls(WEBHOOK)[0].body["text"] == "from the CLI block"
    client = SlackCredentials.load("bot").get_client(sync_client=True)
    assert client.chat_postMessage(channel="C1", text="hi")["ok"] is True
    for path in headwater_home.rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            assert b"SECRET" not in raw and TOKEN.encode() not in raw, f"{path} in clear"


def test_docs_example_runs_against_the_url_from_the_environment(
    fake_slack: FakeSlack, webhook_url: str, tmp_path: Path
):
    page = (REPO / "docs" / "slack.md").read_text()
    blocks = re.findall(r"<!-- no-test -->\n```python\n(.*?)```", page, re.S)
    example = next(b for b in blocks if 'os.environ["SLACK_WEBHOOK_URL"]' in b)
    script = tmp_path / "example.py"
    script.write_text(example)
    done = subprocess.run(
        [sys.executable, str(script)],
        env={**os.environ, "SLACK_WEBHOOK_URL": webhook_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert fake_slack.calls(WEBHOOK), "the example sent nothing"
