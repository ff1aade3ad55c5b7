"""headwater-azure: Azure Blob Storage blocks (`prefect_azure` -> `headwater_azure`).

    from headwater_azure import AzureBlobStorageContainer, AzureBlobStorageCredentials

    creds = AzureBlobStorageCredentials(connection_string="DefaultEndpointsProtocol=...")
    container = AzureBlobStorageContainer(container_name="results", credentials=creds)
    container.write_path("hello.txt", b"hi")

Names load on first use, so `import headwater_azure` imports no Azure SDK.
"""

from __future__ import annotations

from headwater.utilities.lazy import lazy_exports

__all__ = [
    "AzureBlobStorageContainer",
    "AzureBlobStorageCredentials",
    "blob_storage_download",
    "blob_storage_list",
    "blob_storage_upload",
]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from headwater_azure.blob_storage import AzureBlobStorageContainer
    from headwater_azure.credentials import AzureBlobStorageCredentials
    from headwater_azure.tasks import (
        blob_storage_download,
        blob_storage_list,
        blob_storage_upload,
    )
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "AzureBlobStorageContainer": "headwater_azure.blob_storage",
            "AzureBlobStorageCredentials": "headwater_azure.credentials",
            "blob_storage_download": "headwater_azure.tasks",
            "blob_storage_list": "headwater_azure.tasks",
            "blob_storage_upload": "headwater_azure.tasks",
        },
    )
