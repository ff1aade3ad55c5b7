"""The seed's caching example: the first run executes, the second hits, new inputs execute."""

from __future__ import annotations

import re

import pytest
from e2e_support import EXAMPLES

pytestmark = pytest.mark.e2e


def _states(store, flow_run_id: str) -> dict[str, str]:
    runs = store.read_task_runs(flow_run_id=flow_run_id)
    return {re.sub(r"-[0-9a-z]+$", "", r["name"]): r["state_name"] for r in runs}


def test_caching_example(run_script, store, headwater_home):
    output = run_script(EXAMPLES / "caching.py").stdout

    # bodies that ran, from their own prints
    assert output.count("Extracting from database...") == 1, output
    assert output.count("Transforming with multiplier 2...") == 1, output
    assert output.count("Transforming with multiplier 3...") == 1, output
    assert output.count("Loaded data: [2, 4, 6, 8, 10]") == 2, output
    assert output.count("Loaded data: [3, 6, 9, 12, 15]") == 1, output
    assert len(re.findall(r"Finished in state Cached\(type=COMPLETED\)", output)) == 3, output

    runs = sorted(store.read_flow_runs(flow_name="data-pipeline"), key=lambda r: r["created"])
    assert len(runs) == 3, runs
    assert all(r["state_type"] == "COMPLETED" for r in runs), runs
    first, second, third = (_states(store, r["id"]) for r in runs)
    assert first == {
        "extract_data": "Completed",
        "transform_data": "Completed",
        "load_data": "Completed",
    }
    assert second == {
        "extract_data": "Cached",
        "transform_data": "Cached",
        "load_data": "Completed",
    }
    # new multiplier: transform runs again; extract's inputs did not change, so it still hits
    assert third == {
        "extract_data": "Cached",
        "transform_data": "Completed",
        "load_data": "Completed",
    }
    assert any((headwater_home / "storage").iterdir())
