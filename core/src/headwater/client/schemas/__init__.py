"""Prefect's `prefect.client.schemas`: run records and states under their Prefect names."""

from headwater.client.schemas.objects import FlowRun, State, StateType, TaskRun

__all__ = ["FlowRun", "State", "StateType", "TaskRun"]
