"""What an automation does when its trigger fires: Prefect's `prefect.events.actions`.

Each action is a pydantic model told apart by its `type` ("send-notification",
"cancel-flow-run", ...), so an automation reads the same from Python, YAML and
JSON. Unknown fields are refused by name. Carrying them out is
`headwater.automations.execution`'s job; this module only describes them.

Actions on deployments, work pools and work queues are accepted in YAML so a
Prefect file reads, but refused when the automation is created: those objects
do not exist in headwater yet.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "Action",
    "ActionTypes",
    "CallWebhook",
    "CancelFlowRun",
    "ChangeFlowRunState",
    "DoNothing",
    "EmitEvent",
    "PauseAutomation",
    "PauseDeployment",
    "PauseWorkPool",
    "PauseWorkQueue",
    "ResumeAutomation",
    "ResumeDeployment",
    "ResumeFlowRun",
    "ResumeWorkPool",
    "ResumeWorkQueue",
    "RunDeployment",
    "SendNotification",
    "SuspendFlowRun",
]


class Action(BaseModel):
    """An action an automation may take."""

    model_config = ConfigDict(extra="forbid")

    type: str

    def describe_for_cli(self) -> str:
        return self.type.replace("-", " ").capitalize()


class DoNothing(Action):
    """Does nothing; useful to see an automation fire in its events."""

    type: Literal["do-nothing"] = "do-nothing"


class DeploymentAction(Action):
    source: Literal["selected", "inferred"] = "selected"
    deployment_id: uuid.UUID | None = None


class RunDeployment(DeploymentAction):
    """Run a deployment (comes with deployments; refused at create time until then)."""

    type: Literal["run-deployment"] = "run-deployment"
    parameters: dict[str, Any] | None = None
    job_variables: dict[str, Any] | None = None
    schedule_after: timedelta = Field(default=timedelta(0), ge=timedelta(0))


class PauseDeployment(DeploymentAction):
    type: Literal["pause-deployment"] = "pause-deployment"


class ResumeDeployment(DeploymentAction):
    type: Literal["resume-deployment"] = "resume-deployment"


class ChangeFlowRunState(Action):
    """Move the flow run of the triggering event to another state."""

    type: Literal["change-flow-run-state"] = "change-flow-run-state"
    name: str | None = None
    state: Literal[
        "SCHEDULED", "PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED",
        "CANCELLING", "CRASHED", "PAUSED",
    ]  # fmt: skip
    message: str | None = None
    force: bool = False


class CancelFlowRun(Action):
    """Cancel the flow run of the triggering event (recorded as Cancelled)."""

    type: Literal["cancel-flow-run"] = "cancel-flow-run"


class SuspendFlowRun(Action):
    """Pause the flow run of the triggering event (recorded as Suspended, a Paused state)."""

    type: Literal["suspend-flow-run"] = "suspend-flow-run"


class ResumeFlowRun(Action):
    type: Literal["resume-flow-run"] = "resume-flow-run"


class CallWebhook(Action):
    """Send a templated payload through a saved webhook block."""

    type: Literal["call-webhook"] = "call-webhook"
    block_document_id: uuid.UUID
    payload: str = ""


class SendNotification(Action):
    """Send a message through any saved NotificationBlock.

    Name the block by `block_document_id` (Prefect) or `block_name`
    ("slack-webhook/ops"; a headwater addition). `subject` and `body` are
    Jinja2 templates (sandboxed) over `event`, `resource`, `flow_run`,
    `automation` and `flow_run_url`.
    """

    type: Literal["send-notification"] = "send-notification"
    block_document_id: uuid.UUID | None = None
    block_name: str | None = None
    subject: str = "Headwater automated notification"
    body: str = Field(description="The text of the notification to send")

    @model_validator(mode="after")
    def _one_block(self) -> SendNotification:
        if (self.block_document_id is None) == (self.block_name is None):
            raise ValueError(
                "send-notification needs exactly one of block_document_id or block_name "
                "(e.g. block_name: custom-webhook/ops)"
            )
        return self


class EmitEvent(Action):
    """Emit an event (a headwater addition); `event` and label values are templates."""

    type: Literal["emit-event"] = "emit-event"
    event: str
    resource: dict[str, str]
    payload: dict[str, Any] = Field(default_factory=dict)


class _WorkPoolAction(Action):
    source: Literal["selected", "inferred"] = "selected"
    work_pool_id: uuid.UUID | None = None


class PauseWorkPool(_WorkPoolAction):
    type: Literal["pause-work-pool"] = "pause-work-pool"


class ResumeWorkPool(_WorkPoolAction):
    type: Literal["resume-work-pool"] = "resume-work-pool"


class _WorkQueueAction(Action):
    source: Literal["selected", "inferred"] = "selected"
    work_queue_id: uuid.UUID | None = None


class PauseWorkQueue(_WorkQueueAction):
    type: Literal["pause-work-queue"] = "pause-work-queue"


class ResumeWorkQueue(_WorkQueueAction):
    type: Literal["resume-work-queue"] = "resume-work-queue"


class AutomationAction(Action):
    source: Literal["selected", "inferred"] = "selected"
    automation_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _selected_needs_id(self) -> AutomationAction:
        if self.source == "selected" and self.automation_id is None:
            raise ValueError(
                f"{self.type} with source 'selected' needs automation_id; use "
                "source: inferred to act on the automation that fired"
            )
        return self


class PauseAutomation(AutomationAction):
    type: Literal["pause-automation"] = "pause-automation"


class ResumeAutomation(AutomationAction):
    type: Literal["resume-automation"] = "resume-automation"


ActionTypes = Annotated[
    Union[
        DoNothing, RunDeployment, PauseDeployment, ResumeDeployment, ChangeFlowRunState,
        CancelFlowRun, SuspendFlowRun, ResumeFlowRun, CallWebhook, SendNotification,
        EmitEvent, PauseWorkPool, ResumeWorkPool, PauseWorkQueue, ResumeWorkQueue,
        PauseAutomation, ResumeAutomation,
    ],
    Field(discriminator="type"),
]  # fmt: skip

#: action types accepted in files but refused at create time, with the reason
NOT_YET_SUPPORTED: dict[str, str] = {
    "run-deployment": "deployments are not built yet (they come with the deployments issue)",
    "pause-deployment": "deployments are not built yet",
    "resume-deployment": "deployments are not built yet",
    "pause-work-pool": "work pools are not built yet",
    "resume-work-pool": "work pools are not built yet",
    "pause-work-queue": "work queues are not built yet",
    "resume-work-queue": "work queues are not built yet",
    "call-webhook": "use send-notification with a CustomWebhookNotificationBlock",
}
