"""`AwsCredentials` and `MinIOCredentials`: how S3Bucket (and your code) gets boto3 clients.

Field names are Prefect's (`prefect_aws.credentials`). One difference: the
access key id and the session token are secrets here as well as the secret
key (Prefect types them `str`), so none of the three is ever shown by a repr,
a log line or `headwater block inspect`, and all are encrypted at rest; read
them with `.get_secret_value()`. An empty `AwsCredentials()` falls back to
boto3's default chain (environment, ~/.aws, instance role).

Clients are cached per credentials value: building a boto3 client costs
milliseconds, far more than a small S3 request to a nearby endpoint.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from enum import Enum
from typing import TYPE_CHECKING, Any, Optional, Union

from headwater.blocks.abstract import CredentialsBlock
from pydantic import Field, SecretStr

from headwater_aws.assume_role_parameters import REFRESH_MARGIN, AssumeRoleParameters, assume_role
from headwater_aws.client_parameters import AwsClientParameters

if TYPE_CHECKING:
    import boto3

__all__ = ["AwsCredentials", "ClientType", "MinIOCredentials"]


class ClientType(Enum):
    """boto3 service names that have a shortcut method."""

    S3 = "s3"
    ECS = "ecs"
    BATCH = "batch"
    SECRETS_MANAGER = "secretsmanager"


_CACHE_SIZE = 16
#: cache key -> (client, epoch second after which it must be rebuilt)
_clients: OrderedDict[str, tuple[Any, float]] = OrderedDict()
_clients_lock = threading.Lock()


def _reveal(value: Any) -> Any:
    return value.get_secret_value() if isinstance(value, SecretStr) else value


def _cache_key(block: CredentialsBlock, service: str) -> str:
    """A digest of every field (secrets included) and the service: never the values themselves."""
    values = {name: _reveal(getattr(block, name)) for name in type(block).model_fields}
    raw = json.dumps([type(block).__name__, service, values], default=str, sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()


def _cached_client(block: Any, client_type: Union[str, ClientType]) -> Any:
    service = client_type.value if isinstance(client_type, ClientType) else str(client_type)
    key = _cache_key(block, service)
    with _clients_lock:
        cached = _clients.get(key)
        if cached is not None and cached[1] > time.time():
            _clients.move_to_end(key)
            return cached[0]
        # boto3 sessions are not thread-safe; clients are, so build them under the lock.
        session, expires = _session_and_expiry(block)
        client = session.client(
            service_name=service, **block.aws_client_parameters.get_params_override()
        )
        _clients[key] = (client, expires - REFRESH_MARGIN)
        if len(_clients) > _CACHE_SIZE:
            _clients.popitem(last=False)
        return client


def _session_and_expiry(block: Any) -> tuple[boto3.Session, float]:
    """The block's session, and when its credentials expire (an assumed role's do)."""
    if isinstance(block, AwsCredentials):
        return block._session_and_expiry()
    return block.get_boto3_session(), float("inf")


class AwsCredentials(CredentialsBlock):
    """Credentials for AWS through boto3; empty fields fall back to boto3's default chain."""

    _block_type_name = "AWS Credentials"
    _documentation_url = "https://docs.headwater.dev/aws/#credentials"

    aws_access_key_id: Optional[SecretStr] = Field(
        default=None, description="A specific AWS access key ID.", title="AWS Access Key ID"
    )
    aws_secret_access_key: Optional[SecretStr] = Field(
        default=None, description="A specific AWS secret access key.", title="AWS Access Key Secret"
    )
    aws_session_token: Optional[SecretStr] = Field(
        default=None,
        description=(
            "The session key for your AWS account. "
            "This is only needed when you are using temporary credentials."
        ),
        title="AWS Session Token",
    )
    profile_name: Optional[str] = Field(
        default=None, description="The profile to use when creating your session."
    )
    region_name: Optional[str] = Field(
        default=None, description="The AWS Region where you want to create new connections."
    )
    aws_client_parameters: AwsClientParameters = Field(
        default_factory=AwsClientParameters,
        description="Extra parameters to initialize the Client.",
        title="AWS Client Parameters",
    )
    assume_role_arn: Optional[str] = Field(
        default=None,
        description="The ARN of an IAM role to assume with these credentials.",
        title="Assume Role ARN",
    )
    assume_role_kwargs: AssumeRoleParameters = Field(
        default_factory=AssumeRoleParameters,
        description="Additional parameters for the assume_role call.",
        title="Assume Role Parameters",
    )

    def __hash__(self) -> int:
        return hash(_cache_key(self, ""))

    def get_boto3_session(self) -> boto3.Session:
        """A boto3 session with these credentials (boto3's default chain for unset ones).

        With `assume_role_arn`, a session signing as that role (STS AssumeRole).
        """
        return self._session_and_expiry()[0]

    def _session_and_expiry(self) -> tuple[boto3.Session, float]:
        import boto3

        session = boto3.Session(
            aws_access_key_id=_reveal(self.aws_access_key_id),
            aws_secret_access_key=_reveal(self.aws_secret_access_key),
            aws_session_token=_reveal(self.aws_session_token),
            profile_name=self.profile_name,
            region_name=self.region_name,
        )
        if not self.assume_role_arn:
            return session, float("inf")
        return assume_role(
            session,
            self.assume_role_arn,
            self.assume_role_kwargs,
            self.aws_client_parameters.get_params_override(),
        )

    def get_client(self, client_type: Union[str, ClientType]) -> Any:
        """An authenticated boto3 client for `client_type` ("s3", "ecs", ...), cached."""
        return _cached_client(self, client_type)

    def get_s3_client(self) -> Any:
        """An authenticated S3 client."""
        return self.get_client(ClientType.S3)

    def get_secrets_manager_client(self) -> Any:
        """An authenticated Secrets Manager client."""
        return self.get_client(ClientType.SECRETS_MANAGER)


class MinIOCredentials(CredentialsBlock):
    """Credentials for MinIO (or any S3-compatible store): set aws_client_parameters.endpoint_url."""

    _block_type_name = "MinIO Credentials"
    _documentation_url = "https://docs.headwater.dev/aws/#minio"

    minio_root_user: str = Field(default=..., description="Admin or root user.")
    minio_root_password: SecretStr = Field(default=..., description="Admin or root password.")
    region_name: Optional[str] = Field(
        default=None, description="The AWS Region where you want to create new connections."
    )
    aws_client_parameters: AwsClientParameters = Field(
        default_factory=AwsClientParameters,
        description="Extra parameters to initialize the Client.",
    )

    def __hash__(self) -> int:
        return hash(_cache_key(self, ""))

    def get_boto3_session(self) -> boto3.Session:
        """A boto3 session signing as the MinIO user."""
        import boto3

        return boto3.Session(
            aws_access_key_id=self.minio_root_user,
            aws_secret_access_key=self.minio_root_password.get_secret_value(),
            region_name=self.region_name,
        )

    def get_client(self, client_type: Union[str, ClientType]) -> Any:
        """An authenticated boto3 client for `client_type`, cached."""
        return _cached_client(self, client_type)

    def get_s3_client(self) -> Any:
        """An authenticated S3 client."""
        return self.get_client(ClientType.S3)
