"""Registers GcpCredentials and GcsBucket; imports no Google SDK until headwater asks."""

from __future__ import annotations

from typing import Any

from headwater.plugins import hookimpl


@hookimpl
def headwater_block_types() -> list[type[Any]]:
    from headwater_gcp.cloud_storage import GcsBucket
    from headwater_gcp.credentials import GcpCredentials

    return [GcpCredentials, GcsBucket]
