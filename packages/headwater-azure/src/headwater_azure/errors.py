"""Azure SDK failures turned into errors that name the container, the blob and the fix.

The SDK's messages carry request ids and XML bodies but not which block,
container or local path was involved. These classes keep Prefect's contract
(prefect-azure raises RuntimeError for a missing resource) and add the
matching builtin kind, so `except FileNotFoundError` / `PermissionError` /
`ConnectionError` work too. Messages never contain a key, a connection
string or a client secret: only names and URLs without query strings.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

__all__ = [
    "AzureAuthenticationError",
    "AzureBlobStorageError",
    "AzureConnectionError",
    "BlobExistsError",
    "BlobNotFoundError",
    "ContainerNotFoundError",
    "sdk_errors",
    "translate_error",
]


class AzureBlobStorageError(RuntimeError):
    """An Azure Blob Storage call failed; the message says where and what to do."""


class ContainerNotFoundError(AzureBlobStorageError, LookupError):
    """The container does not exist in the storage account."""


class BlobNotFoundError(AzureBlobStorageError, FileNotFoundError):
    """No blob by that name in the container."""


class BlobExistsError(AzureBlobStorageError, FileExistsError):
    """The blob exists and the upload was told not to overwrite it."""


class AzureAuthenticationError(AzureBlobStorageError, PermissionError):
    """The storage account refused the credentials."""


class AzureConnectionError(AzureBlobStorageError, ConnectionError):
    """The storage endpoint could not be reached."""


def _code(exc: Any) -> str:
    code = getattr(exc, "error_code", None)
    return str(getattr(code, "value", code) or "")


def translate_error(
    exc: BaseException, *, action: str, container: str, blob: str | None, endpoint: str
) -> BaseException:
    """The headwater error for an SDK exception raised while doing `action`; else `exc`.

    `action` reads like "download", "upload", "list"; `endpoint` is the blob
    service URL without its query string (so no SAS token).
    """
    from azure.core import exceptions as az

    where = f"container {container!r} at {endpoint}"
    what = f"blob {blob!r} in {where}" if blob else where
    code = _code(exc)
    if code == "ContainerNotFound":
        return ContainerNotFoundError(
            f"Cannot {action} {what}: the container does not exist. Create it "
            f"(`az storage container create --name {container}`, or "
            f"ContainerClient.create_container()) or fix container_name."
        )
    if isinstance(exc, az.ResourceNotFoundError):
        return BlobNotFoundError(
            f"Cannot {action} {what}: there is no such blob. Check the path and base_folder "
            "(list_blobs() shows what the container holds)."
        )
    if isinstance(exc, az.ResourceExistsError) and code == "BlobAlreadyExists":
        return BlobExistsError(
            f"Cannot {action} {what}: the blob already exists; pass overwrite=True to replace it."
        )
    status = getattr(exc, "status_code", None)
    if isinstance(exc, az.ClientAuthenticationError) and status is None:
        # Raised by azure-identity before any request reached the storage account.
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return AzureAuthenticationError(
            f"Cannot {action} {what}: signing in to Azure failed ({first_line}). With "
            "DefaultAzureCredential, set AZURE_CLIENT_ID / AZURE_TENANT_ID / "
            "AZURE_CLIENT_SECRET, use a managed identity or run `az login`; or give the "
            "AzureBlobStorageCredentials block client_id, tenant_id and client_secret, or a "
            "connection_string."
        )
    if isinstance(exc, az.ClientAuthenticationError) or status in (401, 403):
        detail = " ".join(str(part) for part in (status, code) if part)
        return AzureAuthenticationError(
            f"Cannot {action} {what}: the storage account refused the credentials "
            f"({detail or 'not authorised'}). Check the account key in the connection string, "
            "or the service principal / DefaultAzureCredential identity and its role "
            "(Storage Blob Data Contributor) in the AzureBlobStorageCredentials block."
        )
    if isinstance(exc, az.ServiceRequestError):
        reason = str(exc).rsplit(":", 1)[-1].strip() or type(exc).__name__
        return AzureConnectionError(
            f"Cannot {action} {what}: the endpoint cannot be reached ({reason}). Check "
            "account_url / the BlobEndpoint of the connection string, the network, and that "
            "the service (or Azurite) is running."
        )
    return exc


@contextlib.contextmanager
def sdk_errors(action: str, *, container: str, blob: str | None, client: Any) -> Iterator[None]:
    """Inside this block, an SDK error is re-raised as the matching error above.

    `client` is the SDK client in use; its URL, minus query string and the
    container, names the endpoint.
    """
    from azure.core.exceptions import AzureError

    try:
        yield
    except AzureError as exc:
        endpoint = str(client.url).split("?", 1)[0].rstrip("/").rsplit("/", 1)[0]
        better = translate_error(
            exc, action=action, container=container, blob=blob, endpoint=endpoint
        )
        if better is exc:
            raise
        raise better from exc
