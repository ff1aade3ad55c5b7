"""Asset keys are validated as Prefect validates them, with errors naming the key and fix."""

from __future__ import annotations

import pytest
from headwater.assets import Asset, AssetProperties, materialize
from headwater.tasks import task
from pydantic import ValidationError


@pytest.mark.parametrize(
    "key", ["s3://bucket/data.csv", "postgres://db/table", "file://a/b_c-d.parquet"]
)
def test_valid_keys(key: str) -> None:
    asset = Asset(key=key)
    assert asset.key == key
    assert hash(asset) == hash(Asset(key=key))
    assert repr(asset) == f"Asset(key={key!r})"


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("bucket/data.csv", "must be a valid URI with a lowercase scheme"),
        ("S3://bucket/data.csv", "must be a valid URI with a lowercase scheme"),
        ("s3://bucket/my data.csv", "cannot contain ' '"),
        ("s3://bucket/data.csv?version=2", "cannot contain '\\?'"),
        ("s3://bucket/{name}.csv", "cannot contain '\\{'"),
        ("s3://" + "a" * 600, "cannot exceed 512 characters"),
    ],
)
def test_invalid_keys_name_the_problem(key: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Asset(key=key)
    with pytest.raises(ValueError, match=message):  # at decoration time, not at run time
        materialize(key)
    with pytest.raises(ValueError, match=message):
        task(asset_deps=[key])(lambda: None)


def test_models_are_frozen_and_strict() -> None:
    props = AssetProperties(name="n", owners=["a"])
    asset = Asset(key="s3://b/k", properties=props)
    with pytest.raises(ValidationError):
        asset.key = "s3://b/other"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="description"):
        AssetProperties(description="x" * 2501)
    with pytest.raises(ValidationError, match="extra"):
        AssetProperties(title="n")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="must be a URI string or an Asset, got int"):
        materialize(3)  # type: ignore[arg-type]


def test_prefect_import_paths() -> None:
    from headwater.assets import add_asset_metadata
    from headwater.assets.core import Asset as CoreAsset
    from headwater.assets.core import AssetProperties as CoreProperties
    from headwater.assets.core import add_asset_metadata as core_add
    from headwater.assets.materialize import materialize as decorator

    assert (CoreAsset, CoreProperties, decorator) == (Asset, AssetProperties, materialize)
    assert core_add is add_asset_metadata
