"""prefect_test_harness: everything inside goes to a temporary home, nothing to the user's."""

from __future__ import annotations

from pathlib import Path

import pytest
from headwater import flow, settings, task
from headwater.history import get_store
from headwater.testing.utilities import headwater_test_harness, prefect_test_harness


@task(persist_result=True)
def double(x: int) -> int:
    return 2 * x


@flow
def pipeline() -> int:
    return double(21)


def _flow_runs() -> list[dict]:
    store = get_store()
    store.flush()
    return store.read_flow_runs()


def test_runs_inside_go_to_a_temporary_home(
    headwater_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_results = headwater_home / "my-results"
    monkeypatch.setenv("HEADWATER_RESULTS_LOCAL_STORAGE_PATH", str(user_results))
    assert prefect_test_harness is headwater_test_harness
    with prefect_test_harness() as home:
        assert settings.home() == home != headwater_home
        assert pipeline() == 42
        assert len(_flow_runs()) == 1
        assert any((home / "storage").iterdir())  # results in the temporary home
    assert not home.exists()
    assert settings.home() == headwater_home
    assert _flow_runs() == []  # nothing reached the user's home
    assert not user_results.exists()
    assert settings.get("results_local_storage_path") == str(user_results)


def test_harness_restores_after_an_error(headwater_home: Path) -> None:
    with pytest.raises(RuntimeError):
        with headwater_test_harness():
            raise RuntimeError("boom")
    assert settings.home() == headwater_home
