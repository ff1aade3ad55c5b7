"""Saves a Secret block (value from SECRET_SENTINEL) and an automation into HEADWATER_HOME,
with no server involved (run by tests/server/test_server_more_reads.py)."""

import os

from headwater.automations import Automation
from headwater.blocks.system import Secret
from headwater.events.actions import DoNothing
from headwater.events.schemas.automations import EventTrigger

if __name__ == "__main__":
    Secret(value=os.environ["SECRET_SENTINEL"]).save("db-password")
    Automation(
        name="flag failures",
        trigger=EventTrigger(expect={"headwater.flow-run.Failed"}),
        actions=[DoNothing()],
    ).create()
