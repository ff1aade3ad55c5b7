"""Assets: data a workflow materializes, with lineage recorded as events (Prefect 3's API).

    from headwater.assets import Asset, AssetProperties, materialize, add_asset_metadata

    @materialize("s3://bucket/clean.csv", asset_deps=["postgres://db/raw"])
    def clean(): ...

A `@materialize` task's runs emit `headwater.asset.materialization.succeeded` /
`.failed` and `headwater.asset.referenced` events (in the run store, so
`headwater events ls` shows them); `headwater asset ls` lists each asset's last
materialization and upstream assets.
"""

from __future__ import annotations

from headwater.assets.core import Asset, AssetProperties, add_asset_metadata
from headwater.assets.materialize import MaterializingTask, materialize

__all__ = ["Asset", "AssetProperties", "MaterializingTask", "add_asset_metadata", "materialize"]
