"""`AzureBlobStorageCredentials`: how to sign in to a storage account, kept as a block.

Prefect's fields and rules (prefect_azure.credentials): a connection string,
or an account URL signed in with a service principal (client_id, tenant_id,
client_secret) or, with none of those, `DefaultAzureCredential`. Prefect's
`get_client()` family returns async clients; here they return the SDK's
sync clients, which work in plain scripts and tasks, and the async clients
are `get_async_client()` and friends. The Azure SDK is imported only when a
client is asked for, so listing block types stays cheap.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Any

from headwater.blocks.abstract import CredentialsBlock
from pydantic import Field, PrivateAttr, SecretStr, model_validator
from typing_extensions import Self

from headwater_azure._cache import ClientSlot

if TYPE_CHECKING:
    from azure.storage.blob import BlobClient, BlobServiceClient, ContainerClient
    from azure.storage.blob.aio import BlobClient as AsyncBlobClient
    from azure.storage.blob.aio import BlobServiceClient as AsyncBlobServiceClient
    from azure.storage.blob.aio import ContainerClient as AsyncContainerClient

__all__ = ["AzureBlobStorageCredentials"]

_SPN_FIELDS = ("client_id", "tenant_id", "client_secret")


def _need(module: str, extra: str, why: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise ImportError(
            f"{why} needs the {module!r} package, which is not installed: "
            f"pip install 'headwater-azure[{extra}]'"
        )


class AzureBlobStorageCredentials(CredentialsBlock):
    """Credentials for Azure Blob Storage: a connection string, or an account URL.

    With an account URL, sign-in uses the service principal (client_id,
    tenant_id, client_secret) when given, else DefaultAzureCredential (managed
    identity, environment variables, `az login`); both need
    `pip install 'headwater-azure[identity]'`.
    """

    _block_type_name = "Azure Blob Storage Credentials"
    _documentation_url = "https://docs.headwater.dev/azure/"

    connection_string: SecretStr | None = Field(
        default=None,
        description=(
            "The connection string to your Azure storage account. If provided, the "
            "connection string will take precedence over the account URL."
        ),
    )
    account_url: str | None = Field(
        default=None,
        title="Account URL",
        description=(
            "The URL for your Azure storage account. Required for "
            "DefaultAzureCredential or service principal authentication."
        ),
    )
    client_id: str | None = Field(
        default=None,
        title="Client ID",
        description="The service principal client ID (with tenant_id and client_secret).",
    )
    tenant_id: str | None = Field(
        default=None,
        title="Tenant ID",
        description="The service principal tenant ID (with client_id and client_secret).",
    )
    client_secret: SecretStr | None = Field(
        default=None,
        description="The service principal client secret (with client_id and tenant_id).",
    )

    _credential: ClientSlot = PrivateAttr(default_factory=ClientSlot)
    _async_credential: ClientSlot = PrivateAttr(default_factory=ClientSlot)

    @model_validator(mode="after")
    def _one_way_to_sign_in(self) -> Self:
        given = [name for name in _SPN_FIELDS if getattr(self, name) is not None]
        if given and len(given) < len(_SPN_FIELDS):
            missing = [name for name in _SPN_FIELDS if name not in given]
            raise ValueError(
                f"Service principal sign-in needs client_id, tenant_id and client_secret "
                f"together; missing: {', '.join(missing)}."
            )
        if self.connection_string is not None and given:
            raise ValueError(
                "Give either a connection string or service principal credentials "
                "(account_url, client_id, tenant_id, client_secret), not both."
            )
        if self.connection_string is not None and self.account_url is not None:
            raise ValueError(
                "Give either connection_string or account_url, not both: the connection "
                "string already names the account's endpoint."
            )
        if self.connection_string is None and self.account_url is None:
            raise ValueError(
                "AzureBlobStorageCredentials needs a connection_string, or an account_url "
                "(e.g. 'https://ACCOUNT.blob.core.windows.net') signed in with a service "
                "principal or DefaultAzureCredential."
            )
        return self

    # --- credentials for account_url --------------------------------------------
    def _sign_in_key(self) -> tuple[Any, ...]:
        secret = self.client_secret.get_secret_value() if self.client_secret else None
        return (self.tenant_id, self.client_id, hash(secret))

    def _make_credential(self, aio: bool) -> Any:
        _need("azure.identity", "identity", "Signing in with account_url")
        if aio:
            _need("aiohttp", "aio", "Using the async Azure clients")
            from azure.identity import aio as identity
        else:
            import azure.identity as identity  # type: ignore[no-redef]

        if self.client_id is not None and self.client_secret is not None:
            return identity.ClientSecretCredential(
                tenant_id=str(self.tenant_id),
                client_id=self.client_id,
                client_secret=self.client_secret.get_secret_value(),
            )
        return identity.DefaultAzureCredential()

    def _token_credential(self) -> Any:
        return self._credential.get(self._sign_in_key(), lambda: self._make_credential(False))

    def _async_token_credential(self) -> Any:
        return self._async_credential.get(self._sign_in_key(), lambda: self._make_credential(True))

    def _kwargs(self, client_kwargs: dict[str, Any], *, aio: bool) -> dict[str, Any]:
        if self.connection_string is None and "credential" not in client_kwargs:
            if not str(self.account_url).lower().startswith("https://"):
                raise ValueError(
                    f"account_url {self.account_url!r} is not https://: signing in with a "
                    "service principal or DefaultAzureCredential sends a token, which Azure "
                    "accepts over https only. Use the https URL, or a connection_string "
                    "(e.g. for Azurite)."
                )
            make = self._async_token_credential if aio else self._token_credential
            return {**client_kwargs, "credential": make()}
        return client_kwargs

    def _connection_string(self) -> str:
        assert self.connection_string is not None
        return self.connection_string.get_secret_value()

    # --- sync clients ------------------------------------------------------------
    def get_client(self, **client_kwargs: Any) -> BlobServiceClient:
        """A BlobServiceClient for the account.

        `client_kwargs` go to the SDK (e.g. `retry_total=0`, `max_block_size=...`,
        or `credential=` to sign an account_url in with a key or SAS credential).
        """
        from azure.storage.blob import BlobServiceClient

        if self.connection_string is not None:
            return BlobServiceClient.from_connection_string(
                self._connection_string(), **client_kwargs
            )
        return BlobServiceClient(str(self.account_url), **self._kwargs(client_kwargs, aio=False))

    def get_blob_client(self, container: str, blob: str, **client_kwargs: Any) -> BlobClient:
        """A BlobClient for one blob, to download or upload it."""
        from azure.storage.blob import BlobClient

        if self.connection_string is not None:
            return BlobClient.from_connection_string(
                self._connection_string(), container, blob, **client_kwargs
            )
        return BlobClient(
            str(self.account_url), container, blob, **self._kwargs(client_kwargs, aio=False)
        )

    def get_container_client(self, container: str, **client_kwargs: Any) -> ContainerClient:
        """A ContainerClient for one container, to list, upload and download its blobs."""
        from azure.storage.blob import ContainerClient

        if self.connection_string is not None:
            return ContainerClient.from_connection_string(
                self._connection_string(), container, **client_kwargs
            )
        return ContainerClient(
            str(self.account_url), container, **self._kwargs(client_kwargs, aio=False)
        )

    # --- async clients (what Prefect's get_client() family returns) ------------------
    def get_async_client(self, **client_kwargs: Any) -> AsyncBlobServiceClient:
        """An async BlobServiceClient (`async with creds.get_async_client() as client:`)."""
        _need("aiohttp", "aio", "Using the async Azure clients")
        from azure.storage.blob.aio import BlobServiceClient

        if self.connection_string is not None:
            return BlobServiceClient.from_connection_string(
                self._connection_string(), **client_kwargs
            )
        return BlobServiceClient(str(self.account_url), **self._kwargs(client_kwargs, aio=True))

    def get_async_blob_client(
        self, container: str, blob: str, **client_kwargs: Any
    ) -> AsyncBlobClient:
        """An async BlobClient for one blob."""
        _need("aiohttp", "aio", "Using the async Azure clients")
        from azure.storage.blob.aio import BlobClient

        if self.connection_string is not None:
            return BlobClient.from_connection_string(
                self._connection_string(), container, blob, **client_kwargs
            )
        return BlobClient(
            str(self.account_url), container, blob, **self._kwargs(client_kwargs, aio=True)
        )

    def get_async_container_client(
        self, container: str, **client_kwargs: Any
    ) -> AsyncContainerClient:
        """An async ContainerClient for one container."""
        _need("aiohttp", "aio", "Using the async Azure clients")
        from azure.storage.blob.aio import ContainerClient

        if self.connection_string is not None:
            return ContainerClient.from_connection_string(
                self._connection_string(), container, **client_kwargs
            )
        return ContainerClient(
            str(self.account_url), container, **self._kwargs(client_kwargs, aio=True)
        )

    # --- cleanup (Prefect: aclose / async with) ------------------------------------
    def close(self) -> None:
        """Close the sign-in credential this block opened (token caches, sockets)."""
        credential = self._credential.take()
        if credential is not None:
            credential.close()

    async def aclose(self) -> None:
        """Close both the sync and the async sign-in credentials."""
        self.close()
        credential = self._async_credential.take()
        if credential is not None:
            await credential.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
