"""`Asset` and `AssetProperties`: what a materializing task produces, named by a URI key.

As Prefect 3's `prefect.assets.core`: an asset is identified by its key, a URI
with a lowercase scheme (`s3://bucket/data.csv`, `postgres://db/table`), at most
512 characters, without whitespace or URL-special characters. Properties are
optional metadata that travel on the asset's events. Both models are frozen,
and an asset hashes by its key, so it can sit in sets.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

__all__ = [
    "MAX_ASSET_DESCRIPTION_LENGTH",
    "MAX_ASSET_KEY_LENGTH",
    "RESTRICTED_ASSET_CHARACTERS",
    "Asset",
    "AssetProperties",
    "add_asset_metadata",
    "validate_asset_key",
]

MAX_ASSET_KEY_LENGTH = 512
MAX_ASSET_DESCRIPTION_LENGTH = 2500
#: characters an asset key may not contain (Prefect's list)
RESTRICTED_ASSET_CHARACTERS = (
    "\n", "\r", "\t", "\0", " ", "#", "?", "&", "%", '"', "'",
    "<", ">", "[", "]", "{", "}", "|", "\\", "^", "`",
)  # fmt: skip
_URI = re.compile(r"^[a-z0-9]+://")


def validate_asset_key(value: str) -> str:
    """`value` if it is a valid asset key, else a ValueError naming what is wrong and the fix."""
    for char in RESTRICTED_ASSET_CHARACTERS:
        if char in value:
            raise ValueError(
                f"Asset key {value!r} cannot contain {char!r}: asset keys are URIs without "
                f"whitespace or any of {''.join(RESTRICTED_ASSET_CHARACTERS[4:])}"
            )
    if len(value) > MAX_ASSET_KEY_LENGTH:
        raise ValueError(
            f"Asset key {value[:40]!r}... has {len(value)} characters: asset keys cannot "
            f"exceed {MAX_ASSET_KEY_LENGTH} characters"
        )
    if not _URI.match(value):
        raise ValueError(
            f"Asset key {value!r} must be a valid URI with a lowercase scheme, "
            "e.g. storage://bucket/folder/asset.csv or s3://bucket/data.csv"
        )
    return value


ValidAssetKey = Annotated[str, AfterValidator(validate_asset_key)]


class AssetProperties(BaseModel):
    """Metadata properties to configure on an Asset."""

    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True, extra="forbid")

    name: str | None = Field(default=None, description="Human readable name of the Asset.")
    url: str | None = Field(default=None, description="Visitable url to view the Asset.")
    description: str | None = Field(
        default=None,
        description="Description of the Asset.",
        max_length=MAX_ASSET_DESCRIPTION_LENGTH,
    )
    owners: list[str] | None = Field(default=None, description="Owners of the Asset.")


class Asset(BaseModel):
    """Data a workflow materializes: its key (a URI) and optional properties."""

    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True, extra="forbid")

    key: ValidAssetKey
    properties: AssetProperties | None = Field(
        default=None,
        description="Properties of the asset. "
        "Setting this will overwrite properties of a known asset.",
    )

    def __repr__(self) -> str:
        return f"Asset(key={self.key!r})"

    def __hash__(self) -> int:
        return hash(self.key)

    def add_metadata(self, metadata: dict[str, Any]) -> None:
        """Attach `metadata` to this asset's materialization event (inside its task)."""
        add_asset_metadata(self, metadata)


def as_asset(value: str | Asset) -> Asset:
    """An `Asset` for a key or an asset (what `@materialize` and `asset_deps` accept)."""
    if isinstance(value, Asset):
        return value
    if isinstance(value, str):
        return Asset(key=value)
    raise TypeError(
        f"An asset must be a URI string or an Asset, got {type(value).__name__}: {value!r}"
    )


def add_asset_metadata(asset: str | Asset, metadata: dict[str, Any]) -> None:
    """Add `metadata` to the materialization event of `asset`, which the running
    `@materialize` task must materialize; calls accumulate (later keys win)."""
    from headwater.assets.lineage import add_metadata

    add_metadata(asset if isinstance(asset, str) else asset.key, metadata)
