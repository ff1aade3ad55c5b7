"""`headwater asset ls / inspect` list what materializing runs recorded, from any process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner
from headwater.cli.main import build_cli

SCRIPT = textwrap.dedent(
    """
    from headwater import flow
    from headwater.assets import Asset, AssetProperties, add_asset_metadata, materialize

    orders = Asset(key="s3://shop/orders.parquet", properties=AssetProperties(name="Orders"))

    @materialize(orders, by="duckdb")
    def load_orders():
        add_asset_metadata(orders, {"rows": 42})
        return ["o1", "o2"]

    @materialize("s3://shop/daily.parquet", asset_deps=["postgres://crm/customers"])
    def daily(rows):
        return len(rows)

    @materialize("s3://shop/never.parquet")
    def never(rows):
        raise RuntimeError("no")

    @flow
    def shop():
        rows = load_orders()
        daily(rows)
        never(rows, return_state=True)

    shop()
    """
)


@pytest.fixture
def cli():
    runner = CliRunner()
    root = build_cli()
    return lambda *args: runner.invoke(root, list(args))


def _run_script() -> None:
    """Materialize in another process sharing this test's home."""
    subprocess.run(
        [sys.executable, "-c", SCRIPT], check=True, env=os.environ.copy(), capture_output=True
    )


def test_asset_ls_lists_lineage_recorded_by_another_process(cli) -> None:
    empty = cli("asset", "ls")
    assert empty.exit_code == 0 and "No assets recorded yet" in empty.output
    _run_script()
    result = cli("asset", "ls")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["KEY", "STATE", "LAST", "MATERIALIZED", "UPSTREAM"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) == {
        "postgres://crm/customers", "s3://shop/daily.parquet", "s3://shop/never.parquet",
        "s3://shop/orders.parquet",
    }  # fmt: skip
    assert "postgres://crm/customers, s3://shop/orders.parquet" in rows["s3://shop/daily.parquet"]
    assert rows["s3://shop/never.parquet"].split()[1] == "failed"
    assert rows["postgres://crm/customers"].split()[1] == "referenced"

    data = json.loads(cli("asset", "ls", "-o", "json").output)
    orders = next(a for a in data if a["key"] == "s3://shop/orders.parquet")
    assert orders["name"] == "Orders"
    assert orders["materialized_by"] == "duckdb"
    assert orders["metadata"] == {"rows": 42}
    assert sorted(orders["downstream"]) == ["s3://shop/daily.parquet", "s3://shop/never.parquet"]


def test_asset_inspect(cli) -> None:
    _run_script()
    _run_script()
    result = cli("asset", "inspect", "s3://shop/daily.parquet")
    assert result.exit_code == 0, result.output
    fields = dict(line.split(":", 1) for line in result.output.splitlines())
    assert fields["last_state"].strip() == "succeeded"
    assert fields["materializations"].strip() == "2"
    assert json.loads(fields["upstream"]) == [
        "postgres://crm/customers",
        "s3://shop/orders.parquet",
    ]
    missing = cli("asset", "inspect", "s3://shop/nope")
    assert missing.exit_code == 1
    assert "No asset with key 's3://shop/nope'" in missing.output
    assert "headwater asset ls" in missing.output
