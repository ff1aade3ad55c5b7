"""Registers the Azure blocks; imports no Azure SDK until headwater asks for them."""

from __future__ import annotations

from typing import Any

from headwater.plugins import hookimpl


@hookimpl
def headwater_block_types() -> list[type[Any]]:
    from headwater_azure.blob_storage import AzureBlobStorageContainer
    from headwater_azure.credentials import AzureBlobStorageCredentials

    return [AzureBlobStorageCredentials, AzureBlobStorageContainer]
