"""Persisting a flow run's own return value, under the flow run's id.

Prefect's rule: `persist_result=None` becomes True when the flow names a
`result_storage` or `result_serializer`, else follows
HEADWATER_RESULTS_PERSIST_BY_DEFAULT. A result that can't be written is
logged and kept in memory; the run still completes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from headwater import settings

if TYPE_CHECKING:
    from headwater.flows import Flow
    from headwater.history.records import FlowRun
    from headwater.states import State


def should_persist(flow: Flow[Any, Any]) -> bool:
    if flow.persist_result is not None:
        return bool(flow.persist_result)
    return (
        flow.result_storage is not None
        or flow.result_serializer is not None
        or settings.get_bool("results_persist_by_default", False)
    )


def persist_flow_result(
    flow: Flow[Any, Any], flow_run: FlowRun, state: State, logger: Any
) -> State:
    """Write a Completed state's value to the flow's result storage; the state says where."""
    from headwater.caching.cache_records import write_record
    from headwater.persistence.records import PersistedResult
    from headwater.persistence.result_storage import resolve_storage

    key = f"flow-run-{flow_run.id}"
    try:
        storage = resolve_storage(flow.result_storage)
        value = state.result()
        write_record(
            storage,
            key,
            value,
            flow.result_serializer,
            None,
            flow=flow.name,
            flow_run_id=flow_run.id,
        )
    except Exception as exc:
        logger.warning(
            f"The result of flow run {flow_run.name!r} could not be persisted ({exc!r}); "
            "it is kept in memory only."
        )
        return state
    state.state_details["result_location"] = storage.location(key)
    if not flow.cache_result_in_memory:
        state.data = PersistedResult(storage, key)
    return state
