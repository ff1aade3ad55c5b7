"""`AwsClientParameters`: extra arguments for boto3's `Session.client(...)`.

The same fields as Prefect's (`prefect_aws.client_parameters`): set
`endpoint_url` to reach an S3-compatible store (MinIO, moto, SeaweedFS).
botocore is imported only when a client is built.
"""

from __future__ import annotations

import warnings
from typing import Any, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, FilePath, field_validator, model_validator

__all__ = ["AwsClientParameters"]


class AwsClientParameters(BaseModel):
    """Extra parameters passed to boto3 when a client is created (unset ones are left out)."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    api_version: Optional[str] = Field(
        default=None, description="The API version to use.", title="API Version"
    )
    use_ssl: bool = Field(default=True, description="Whether or not to use SSL.", title="Use SSL")
    verify: Union[bool, FilePath, None] = Field(
        default=None, description="Whether or not to verify SSL certificates."
    )
    verify_cert_path: Optional[FilePath] = Field(
        default=None,
        description="Path to the CA cert bundle to use.",
        title="Certificate Authority Bundle File Path",
    )
    endpoint_url: Optional[str] = Field(
        default=None,
        description="The complete URL to use for the constructed client.",
        title="Endpoint URL",
    )
    config: Optional[dict[str, Any]] = Field(
        default=None,
        description="Advanced configuration for Botocore clients (botocore.config.Config options).",
        title="Botocore Config",
    )

    def __hash__(self) -> int:
        return hash(self.model_dump_json())

    @field_validator("config", mode="before")
    @classmethod
    def _config_as_dict(cls, value: Any) -> Any:
        """A botocore `Config` is stored as the options it was given."""
        options = getattr(value, "_user_provided_options", None)
        return dict(options) if isinstance(options, dict) else value

    @model_validator(mode="before")
    @classmethod
    def _verify_and_cert_path(cls, values: Any) -> Any:
        if not isinstance(values, dict):
            return values
        verify = values.get("verify")
        cert_path = values.get("verify_cert_path")
        if verify is not None and not isinstance(verify, bool):
            warnings.warn(
                "AwsClientParameters.verify should be True or False; give a CA bundle "
                "as verify_cert_path instead.",
                DeprecationWarning,
                stacklevel=2,
            )
        if verify is False and cert_path:
            warnings.warn(
                "AwsClientParameters: verify_cert_path is ignored because verify is False.",
                stacklevel=2,
            )
            values = {**values, "verify_cert_path": None}
        elif verify is not None and not isinstance(verify, bool) and cert_path:
            values = {**values, "verify": True}
        return values

    def get_params_override(self) -> dict[str, Any]:
        """The keyword arguments for `session.client(...)`: only the parameters that are set."""
        params: dict[str, Any] = {}
        if self.api_version is not None:
            params["api_version"] = self.api_version
        params["use_ssl"] = self.use_ssl
        if self.verify_cert_path is not None:
            params["verify"] = str(self.verify_cert_path)
        elif self.verify is not None:
            params["verify"] = self.verify if isinstance(self.verify, bool) else str(self.verify)
        if self.endpoint_url is not None:
            params["endpoint_url"] = self.endpoint_url
        if self.config is not None:
            from botocore import UNSIGNED
            from botocore.config import Config

            config = Config(**self.config)
            if config.signature_version == "unsigned":
                config.signature_version = UNSIGNED
            params["config"] = config
        return params
