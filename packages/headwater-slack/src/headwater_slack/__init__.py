"""headwater-slack: Slack notifications and messages (`prefect_slack` -> `headwater_slack`).

    from headwater_slack import SlackWebhook

    SlackWebhook(url="https://hooks.slack.com/services/T/B/X").notify("Done", subject="nightly")

Names load on first use, so `import headwater_slack` does not import slack_sdk.
"""

from __future__ import annotations

from headwater.utilities.lazy import lazy_exports

__all__ = [
    "SlackCredentials",
    "SlackWebhook",
    "send_chat_message",
    "send_incoming_webhook_message",
]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from headwater_slack.credentials import SlackCredentials, SlackWebhook
    from headwater_slack.messages import send_chat_message, send_incoming_webhook_message
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "SlackCredentials": "headwater_slack.credentials",
            "SlackWebhook": "headwater_slack.credentials",
            "send_chat_message": "headwater_slack.messages",
            "send_incoming_webhook_message": "headwater_slack.messages",
        },
    )
