"""Assuming an IAM role: `AwsCredentials(assume_role_arn=..., assume_role_kwargs=...)`.

As in prefect-aws, the block's own credentials (or boto3's default chain) call
STS AssumeRole, and clients sign with the temporary credentials it returns.
Those expire (after `DurationSeconds`, one hour by default), so headwater's
client cache rebuilds a client a few minutes before its role session ends:
a flow running longer than the session keeps working.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Optional

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    import boto3

__all__ = ["AssumeRoleParameters", "assume_role"]

#: rebuild a client this many seconds before its role session expires
REFRESH_MARGIN = 300.0


class AssumeRoleParameters(BaseModel):
    """Extra arguments of STS AssumeRole (boto3's names); unset ones are not sent."""

    RoleSessionName: Optional[str] = Field(
        default=None,
        description="Names the role session; a random headwater-session-... when unset.",
    )
    DurationSeconds: Optional[int] = Field(
        default=None, description="Session length, 900 to 43,200 seconds (AWS default 3,600)."
    )
    Policy: Optional[str] = Field(default=None, description="An inline session policy (JSON).")
    PolicyArns: Optional[list[dict[str, str]]] = Field(
        default=None, description="Managed session policies: [{'arn': ...}]."
    )
    Tags: Optional[list[dict[str, str]]] = Field(
        default=None, description="Session tags: [{'Key': ..., 'Value': ...}]."
    )
    TransitiveTagKeys: Optional[list[str]] = Field(
        default=None, description="Session tag keys that persist through role chaining."
    )
    ExternalId: Optional[str] = Field(
        default=None, description="The external id a third party's role requires."
    )
    SerialNumber: Optional[str] = Field(default=None, description="The MFA device's id.")
    TokenCode: Optional[str] = Field(default=None, description="The MFA device's current code.")
    SourceIdentity: Optional[str] = Field(default=None, description="The source identity.")
    ProvidedContexts: Optional[list[dict[str, str]]] = Field(
        default=None, description="[{'ProviderArn': ..., 'ContextAssertion': ...}]."
    )

    def get_params_override(self) -> dict[str, Any]:
        """The parameters that are set, as AssumeRole takes them."""
        return {name: value for name, value in self.model_dump().items() if value is not None}

    def __hash__(self) -> int:
        return hash(repr(sorted(self.get_params_override().items())))


def assume_role(
    base: boto3.Session,
    role_arn: str,
    parameters: AssumeRoleParameters,
    client_parameters: dict[str, Any],
) -> tuple[boto3.Session, float]:
    """A session signing as `role_arn`, and the epoch second its credentials expire.

    The STS call goes to the block's `endpoint_url` when one is set (LocalStack,
    moto and MinIO serve STS on the same endpoint as S3).
    """
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    arguments = {"RoleSessionName": f"headwater-session-{uuid.uuid4().hex[:8]}"}
    arguments.update(parameters.get_params_override())
    arguments["RoleArn"] = role_arn
    try:
        response = base.client("sts", **client_parameters).assume_role(**arguments)
    except (ClientError, BotoCoreError) as exc:
        code = getattr(exc, "response", {}).get("Error", {}).get("Code") or type(exc).__name__
        from headwater_aws.errors import S3CredentialsError

        raise S3CredentialsError(
            f"AWS STS refused to let these credentials assume role {role_arn!r} ({code}). "
            "Check the role ARN, that the role's trust policy allows the calling identity "
            "(and ExternalId / MFA if it requires them), and the block's credentials."
        ) from exc
    credentials = response["Credentials"]
    session = boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=base.region_name,
    )
    return session, _epoch(credentials.get("Expiration"))


def _epoch(expiration: Any) -> float:
    if isinstance(expiration, datetime):
        if expiration.tzinfo is None:
            expiration = expiration.replace(tzinfo=timezone.utc)
        return float(expiration.timestamp())
    return float("inf")
