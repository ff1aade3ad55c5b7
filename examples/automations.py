"""Automations beside the event pipeline of examples/events.py.

Two automations, created once (re-running this script keeps them):
- "pipeline failed": when a flow run fails, post to Slack (SLACK_WEBHOOK_URL, with
  headwater-slack installed) or to any webhook (NOTIFY_WEBHOOK_URL);
- "data not loaded": when no `data.loaded` event arrives within an hour, say so.

No server is needed: any process that records runs in this home evaluates them
(`headwater automation serve` does it alone). Run with `FAIL=1` to see a failure.
"""

import os
from datetime import timedelta

from headwater import flow
from headwater.automations import Automation
from headwater.events.actions import SendNotification
from headwater.events.schemas.automations import EventTrigger, Posture

from events import data_pipeline  # examples/events.py


def notification_block() -> str:
    """Save the block notifications go through; return its `type/name`."""
    if os.environ.get("SLACK_WEBHOOK_URL"):
        from headwater_slack import SlackWebhook

        SlackWebhook(url=os.environ["SLACK_WEBHOOK_URL"]).save("ops", overwrite=True)
        return "slack-webhook/ops"
    from headwater.blocks.notifications import CustomWebhookNotificationBlock

    CustomWebhookNotificationBlock(
        name="ops",
        url=os.environ["NOTIFY_WEBHOOK_URL"],
        json_data={"text": "{{subject}}: {{body}}"},
    ).save("ops", overwrite=True)
    return "custom-webhook/ops"


def ensure_automations(block: str) -> None:
    wanted = [
        Automation(
            name="pipeline failed",
            trigger=EventTrigger(
                expect={"prefect.flow-run.Failed"},
                match={"prefect.resource.id": "prefect.flow-run.*"},
            ),
            actions=[
                SendNotification(
                    block_name=block,
                    subject="Flow run {{ flow_run.name }} failed",
                    body="{{ flow_run.flow_name }}: {{ flow_run.state.message }} "
                    "({{ flow_run_url }})",
                )
            ],
        ),
        Automation(
            name="data not loaded",
            trigger=EventTrigger(
                expect={"data.loaded"},
                posture=Posture.Proactive,
                within=timedelta(hours=1),
            ),
            actions=[
                SendNotification(
                    block_name=block,
                    subject="No data loaded",
                    body="No data.loaded event in the last hour.",
                )
            ],
        ),
    ]
    for automation in wanted:
        try:
            Automation.read(name=automation.name)
        except ValueError:
            automation.create()


@flow
def nightly():
    if os.environ.get("FAIL"):
        raise RuntimeError("the warehouse is down")
    return data_pipeline()


if __name__ == "__main__":
    ensure_automations(notification_block())
    state = nightly(return_state=True)
    print(f"nightly finished: {state.name}")
