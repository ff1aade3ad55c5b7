"""`@materialize`: a task whose successful run materializes assets, recorded as events.

As Prefect 3's `prefect.assets.materialize` and `MaterializingTask`: the
decorator takes the assets (URI strings or `Asset`s), `by=` (the tool that
ultimately writes them, e.g. "dbt") and any `@task` option, `asset_deps` too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from typing_extensions import ParamSpec

from headwater.assets.core import Asset, as_asset
from headwater.tasks import Task

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from headwater.option_types import TaskOptions

P = ParamSpec("P")
R = TypeVar("R")

__all__ = ["MaterializingTask", "materialize"]


class MaterializingTask(Task[P, R]):
    """A task that materializes `assets` (each a URI string or an `Asset`)."""

    def __init__(
        self,
        fn: Callable[P, R],
        *,
        assets: Sequence[str | Asset] = (),
        materialized_by: str | None = None,
        **task_kwargs: Unpack[TaskOptions],
    ) -> None:
        super().__init__(fn, **task_kwargs)
        if isinstance(assets, (str, Asset)):
            assets = [assets]
        self.assets: list[Asset] = [as_asset(a) for a in assets]
        self.materialized_by = materialized_by
        from headwater.assets.lineage import record_final_state

        self.after_final_state = record_final_state

    def with_options(
        self, assets: Sequence[str | Asset] | None = None, **task_kwargs: Any
    ) -> MaterializingTask[P, R]:
        """A copy with some options changed; `assets=` replaces the assets."""
        copy = super().with_options(**task_kwargs)
        assert isinstance(copy, MaterializingTask)
        copy.assets = [as_asset(a) for a in assets] if assets is not None else list(self.assets)
        copy.materialized_by = self.materialized_by
        return copy

    def __repr__(self) -> str:
        return f"MaterializingTask(name={self.name!r}, assets={[a.key for a in self.assets]})"


def materialize(
    *assets: str | Asset,
    by: str | None = None,
    **task_kwargs: Unpack[TaskOptions],
) -> Callable[[Callable[P, R]], MaterializingTask[P, R]]:
    """Decorate a function as a task that materializes `assets` (at least one)."""
    if not assets:
        raise TypeError(
            "materialize requires at least one asset argument, e.g. "
            "`@materialize('s3://bucket/data.csv')`"
        )
    checked = [as_asset(a) for a in assets]  # bad keys fail at decoration time

    def decorator(fn: Callable[P, R]) -> MaterializingTask[P, R]:
        return MaterializingTask(fn, assets=checked, materialized_by=by, **task_kwargs)

    return decorator
