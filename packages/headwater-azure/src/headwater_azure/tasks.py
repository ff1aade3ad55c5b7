"""Prefect's module-level Azure Blob tasks (`prefect_azure.blob_storage`), as headwater tasks.

Prefect declares them `async`; here they are sync tasks, so they run as they
are in a sync flow and with `.submit()` in either kind.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from headwater import task

from headwater_azure.errors import sdk_errors

if TYPE_CHECKING:
    from azure.storage.blob import BlobProperties

    from headwater_azure.credentials import AzureBlobStorageCredentials

__all__ = ["blob_storage_download", "blob_storage_list", "blob_storage_upload"]


@task
def blob_storage_download(
    container: str, blob: str, blob_storage_credentials: AzureBlobStorageCredentials
) -> bytes:
    """The content of `blob` in `container`."""
    with (
        blob_storage_credentials.get_container_client(container) as client,
        sdk_errors("download", container=container, blob=blob, client=client),
    ):
        return client.download_blob(blob).readall()


@task
def blob_storage_upload(
    data: bytes,
    container: str,
    blob_storage_credentials: AzureBlobStorageCredentials,
    blob: str | None = None,
    overwrite: bool = False,
) -> str:
    """Upload `data` to `blob` (default: a new UUID) in `container`; returns the blob name."""
    name = blob or str(uuid.uuid4())
    with (
        blob_storage_credentials.get_container_client(container) as client,
        sdk_errors("upload", container=container, blob=name, client=client),
    ):
        client.upload_blob(name, data, overwrite=overwrite)
    return name


@task
def blob_storage_list(
    container: str,
    blob_storage_credentials: AzureBlobStorageCredentials,
    name_starts_with: str | None = None,
    include: str | list[str] | None = None,
    **kwargs: Any,
) -> list[BlobProperties]:
    """The blobs in `container` (their BlobProperties), optionally by name prefix."""
    with (
        blob_storage_credentials.get_container_client(container) as client,
        sdk_errors("list", container=container, blob=None, client=client),
    ):
        return list(client.list_blobs(name_starts_with=name_starts_with, include=include, **kwargs))
