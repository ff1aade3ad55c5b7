"""`GcpCredentials`: how headwater authenticates to Google Cloud (`prefect_gcp.credentials`).

Give a service account key (`service_account_info`, kept as a SecretDict:
encrypted at rest, masked everywhere) or a key file path
(`service_account_file`); with neither, Google's Application Default
Credentials are used, as Prefect does. Unlike Prefect, nothing is resolved
when the block is built: `GcpCredentials()` works on a machine without ADC,
and credentials are looked up when a client is first asked for.
"""

from __future__ import annotations

import json
import os
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from headwater.blocks.abstract import CredentialsBlock
from headwater.blocks.fields import SecretDict
from pydantic import Field, field_validator, model_validator

if TYPE_CHECKING:
    from google.auth.credentials import Credentials
    from google.cloud.storage import Client as StorageClient

__all__ = ["CLOUD_PLATFORM_SCOPE", "ClientType", "GcpCredentials"]

CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
_ADC_FIX = (
    "give GcpCredentials a service_account_info or service_account_file, set "
    "GOOGLE_APPLICATION_CREDENTIALS to a key file, or run "
    "`gcloud auth application-default login`"
)


class ClientType(Enum):
    """The clients `GcpCredentials.get_client` can build (Prefect's names)."""

    CLOUD_STORAGE = "cloud_storage"
    BIGQUERY = "bigquery"
    SECRET_MANAGER = "secret_manager"
    AIPLATFORM = "job_service"


def emulator_host() -> str | None:
    """STORAGE_EMULATOR_HOST, which google-cloud-storage sends every request to when set."""
    return os.environ.get("STORAGE_EMULATOR_HOST") or None


class GcpCredentials(CredentialsBlock):
    """Credentials for Google Cloud: a service account key (as a dict or a file) or,
    with neither, Google's Application Default Credentials."""

    _block_type_name = "GCP Credentials"
    _documentation_url = "https://docs.headwater.dev/gcp/"

    service_account_file: Path | None = Field(
        default=None, description="Path to the service account JSON keyfile."
    )
    service_account_info: SecretDict | None = Field(
        default=None, description="The contents of the keyfile as a dict."
    )
    project: str | None = Field(default=None, description="The GCP project to use for the client.")

    @field_validator("service_account_file")
    @classmethod
    def _file_exists(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        path = Path(value).expanduser()
        if not path.is_file():
            raise ValueError(
                f"service_account_file {str(path)!r} does not exist or is not a file; "
                "give the path of the JSON key downloaded from the Google Cloud console"
            )
        return path

    @field_validator("service_account_info", mode="before")
    @classmethod
    def _info_from_json(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                # Never echo the text: it is a private key.
                raise ValueError(
                    "service_account_info is a string but not valid JSON; paste the whole "
                    "key file's content, or give it as a dict"
                ) from None
        return value

    @model_validator(mode="after")
    def _one_source(self) -> GcpCredentials:
        if self.service_account_info is not None and self.service_account_file is not None:
            raise ValueError(
                "Only one of service_account_info or service_account_file can be "
                "specified at once; remove one of them"
            )
        return self

    # --- credentials -----------------------------------------------------------------
    def get_credentials_from_service_account(self) -> Credentials:
        """google-auth credentials from the key (dict or file), else from ADC."""
        from google.auth.exceptions import DefaultCredentialsError
        from google.oauth2 import service_account

        if self.service_account_info is not None:
            info = self.service_account_info.get_secret_value()
            try:
                return service_account.Credentials.from_service_account_info(  # type: ignore[no-any-return]
                    info, scopes=[CLOUD_PLATFORM_SCOPE]
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(
                    "GcpCredentials.service_account_info is not a usable service account "
                    f"key ({type(exc).__name__}: {_scrub(str(exc), info)}); use the JSON "
                    "key file's content as downloaded from the Google Cloud console"
                ) from None
        if self.service_account_file is not None:
            try:
                return service_account.Credentials.from_service_account_file(  # type: ignore[no-any-return]
                    str(self.service_account_file), scopes=[CLOUD_PLATFORM_SCOPE]
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(
                    f"GcpCredentials.service_account_file {str(self.service_account_file)!r} "
                    f"is not a usable service account key ({type(exc).__name__}); use the "
                    "JSON key file as downloaded from the Google Cloud console"
                ) from None
        import google.auth

        try:
            credentials, _ = google.auth.default(scopes=[CLOUD_PLATFORM_SCOPE])
        except DefaultCredentialsError as exc:
            raise DefaultCredentialsError(
                f"GcpCredentials has no service account key and Google's Application "
                f"Default Credentials were not found ({exc}); {_ADC_FIX}"
            ) from exc
        return credentials

    def get_access_token(self) -> str:
        """A fresh OAuth access token for these credentials."""
        import google.auth.transport.requests

        credentials = self.get_credentials_from_service_account()
        credentials.refresh(google.auth.transport.requests.Request())
        return str(credentials.token)

    def resolved_project(self) -> str | None:
        """`project`, else the key's project_id, else GOOGLE_CLOUD_PROJECT."""
        if self.project:
            return self.project
        if self.service_account_info is not None:
            found = self.service_account_info.get_secret_value().get("project_id")
            if found:
                return str(found)
        if self.service_account_file is not None:
            try:
                found = json.loads(self.service_account_file.read_text()).get("project_id")
            except (OSError, ValueError):
                found = None
            if found:
                return str(found)
        return os.environ.get("GOOGLE_CLOUD_PROJECT") or os.environ.get("GCLOUD_PROJECT")

    def fingerprint(self) -> tuple[Any, ...]:
        """What a client built from these credentials depends on (for caching clients)."""
        info = self.service_account_info
        return (
            str(self.service_account_file) if self.service_account_file else None,
            json.dumps(info.get_secret_value(), sort_keys=True) if info is not None else None,
            self.project,
            emulator_host(),
        )

    # --- clients ---------------------------------------------------------------------
    def get_client(self, client_type: str | ClientType, **get_client_kwargs: Any) -> Any:
        """An authenticated client by type name ("cloud_storage", ...)."""
        try:
            kind = ClientType(client_type)
        except ValueError:
            known = ", ".join(repr(c.value) for c in ClientType)
            raise ValueError(f"Unknown client_type {client_type!r}; use one of {known}") from None
        method = getattr(self, f"get_{kind.value}_client")
        return method(**get_client_kwargs)

    def get_cloud_storage_client(self, project: str | None = None) -> StorageClient:
        """An authenticated google-cloud-storage Client.

        With STORAGE_EMULATOR_HOST set and no key given, the client is built
        as google-cloud-storage builds it for an emulator (anonymous), rather
        than looking for Application Default Credentials.
        """
        from google.cloud.storage import Client

        project = project or self.resolved_project()
        explicit_key = (
            self.service_account_info is not None or self.service_account_file is not None
        )
        if emulator_host() and not explicit_key:
            return Client(project=project)
        credentials = self.get_credentials_from_service_account()
        if project is None:
            project = getattr(credentials, "quota_project_id", None) or _adc_project()
        return Client(project=project, credentials=credentials)

    def get_bigquery_client(self, project: str | None = None, location: str | None = None) -> Any:
        """A BigQuery client (needs `pip install google-cloud-bigquery`)."""
        try:
            from google.cloud.bigquery import Client
        except ImportError as exc:
            raise ImportError(_missing("bigquery", "google-cloud-bigquery")) from exc
        credentials = self.get_credentials_from_service_account()
        return Client(
            credentials=credentials, project=project or self.resolved_project(), location=location
        )

    def get_secret_manager_client(self) -> Any:
        """A Secret Manager client (needs `pip install google-cloud-secret-manager`)."""
        try:
            from google.cloud.secretmanager import SecretManagerServiceClient
        except ImportError as exc:
            raise ImportError(_missing("secret_manager", "google-cloud-secret-manager")) from exc
        return SecretManagerServiceClient(credentials=self.get_credentials_from_service_account())

    def get_job_service_client(self, client_options: Any = None) -> Any:
        """A Vertex AI JobServiceClient (needs `pip install google-cloud-aiplatform`)."""
        try:
            from google.cloud.aiplatform.gapic import JobServiceClient
        except ImportError as exc:
            raise ImportError(_missing("job_service", "google-cloud-aiplatform")) from exc
        return JobServiceClient(
            credentials=self.get_credentials_from_service_account(), client_options=client_options
        )


def _missing(kind: str, distribution: str) -> str:
    return (
        f"GcpCredentials.get_client({kind!r}) needs {distribution}, which is not installed; "
        f"run `pip install {distribution}`"
    )


def _adc_project() -> str | None:
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    try:
        return google.auth.default()[1]
    except DefaultCredentialsError:
        return None


def _scrub(text: str, info: dict[str, Any]) -> str:
    """`text` with every value of the key replaced, so an error never carries key material."""
    for value in info.values():
        if isinstance(value, str) and len(value) >= 4:
            text = text.replace(value, "**********")
    return text
