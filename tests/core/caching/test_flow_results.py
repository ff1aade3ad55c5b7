"""A flow's own return value is persisted when the flow asks for it."""

from __future__ import annotations

from pathlib import Path

from headwater import flow
from headwater.persistence.records import load_record


def test_flow_result_persisted_to_its_storage(tmp_path: Path) -> None:
    tmp_path = tmp_path / "results"

    @flow(persist_result=True, result_storage=str(tmp_path), result_serializer="json")
    def answer() -> dict[str, int]:
        return {"answer": 42}

    state = answer(return_state=True)
    assert state.result() == {"answer": 42}
    files = list(tmp_path.iterdir())
    assert len(files) == 1 and state.state_details["flow_run_id"] in files[0].name
    assert load_record(files[0].read_bytes()).value() == {"answer": 42}


def test_flow_result_only_in_storage_when_not_cached_in_memory(tmp_path: Path) -> None:
    tmp_path = tmp_path / "results"

    @flow(result_storage=str(tmp_path), cache_result_in_memory=False)
    def big() -> list[int]:
        return list(range(5))

    state = big(return_state=True)
    assert type(state.data).__name__ == "PersistedResult"
    assert state.result() == [0, 1, 2, 3, 4]


def test_flows_do_not_persist_by_default(tmp_path: Path, monkeypatch) -> None:
    tmp_path = tmp_path / "results"
    tmp_path.mkdir()
    monkeypatch.setenv("HEADWATER_RESULTS_LOCAL_STORAGE_PATH", str(tmp_path))

    @flow
    def plain() -> int:
        return 1

    assert plain() == 1
    assert list(tmp_path.iterdir()) == []
