"""headwater-gcp: Google Cloud Storage blocks (`prefect_gcp` -> `headwater_gcp`).

    from headwater_gcp import GcpCredentials, GcsBucket

    bucket = GcsBucket(bucket="my-bucket", gcp_credentials=GcpCredentials(project="my-project"))
    bucket.write_path("hello.txt", b"hi")

Names load on first use, so `import headwater_gcp` imports no Google SDK.
"""

from __future__ import annotations

from headwater.utilities.lazy import lazy_exports

__all__ = ["GcpCredentials", "GcsBucket"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from headwater_gcp.cloud_storage import GcsBucket
    from headwater_gcp.credentials import GcpCredentials
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "GcpCredentials": "headwater_gcp.credentials",
            "GcsBucket": "headwater_gcp.cloud_storage",
        },
    )
