"""Asset lineage: three materializing tasks write local files; headwater records which
asset was built from which, and draws the flow's graph without running it.

    python examples/assets_lineage.py
    headwater asset ls                       # each asset, its last state, its upstream assets
    headwater asset inspect file://$PWD/lineage-data/report.json
    headwater flow-run graph <the flow run's name>   # the run's task graph, as Mermaid
"""

import csv
import json
from pathlib import Path

from headwater import flow, task
from headwater.assets import Asset, AssetProperties, add_asset_metadata, materialize

DATA = Path.cwd() / "lineage-data"

orders = Asset(
    key=f"file://{DATA}/orders.csv",
    properties=AssetProperties(
        name="Orders", description="Orders as exported by the shop", owners=["shop-team"]
    ),
)
totals = Asset(key=f"file://{DATA}/totals.json")
report = Asset(key=f"file://{DATA}/report.json")
# Not written by this flow: named as an explicit dependency
PRICE_LIST = "https://prices.example.com/current.csv"


@materialize(orders, by="python-csv")
def export_orders() -> list[dict[str, str]]:
    rows = [
        {"customer": "ada", "amount": "12.50"},
        {"customer": "bob", "amount": "7.25"},
        {"customer": "ada", "amount": "3.00"},
    ]
    DATA.mkdir(exist_ok=True)
    with open(DATA / "orders.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["customer", "amount"])
        writer.writeheader()
        writer.writerows(rows)
    orders.add_metadata({"rows": len(rows)})
    return rows


@materialize(totals, asset_deps=[PRICE_LIST])
def total_by_customer(rows: list[dict[str, str]]) -> dict[str, float]:
    result: dict[str, float] = {}
    for row in rows:
        result[row["customer"]] = result.get(row["customer"], 0.0) + float(row["amount"])
    (DATA / "totals.json").write_text(json.dumps(result))
    add_asset_metadata(totals, {"customers": len(result)})
    return result


@task
def biggest(per_customer: dict[str, float]) -> str:
    return max(per_customer, key=per_customer.__getitem__)


@materialize(report)
def write_report(per_customer: dict[str, float], top: str) -> str:
    text = json.dumps({"top_customer": top, "customers": per_customer}, indent=2)
    (DATA / "report.json").write_text(text)
    return text


@flow
def shop_report() -> str:
    rows = export_orders()
    per_customer = total_by_customer.submit(rows)
    top = biggest.submit(per_customer)
    return write_report(per_customer, top)


if __name__ == "__main__":
    print(shop_report.generate_mermaid_graph())  # drawn without running anything
    print(shop_report())
