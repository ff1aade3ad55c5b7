"""Expanding `.map()` arguments into one parameter set per run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from headwater.annotations import unmapped
from headwater.exceptions import MappingLengthMismatch, MappingMissingIterable
from headwater.futures import HeadwaterFuture

if TYPE_CHECKING:
    from headwater.tasks import Task


def _is_mappable(value: Any) -> bool:
    if isinstance(value, (str, bytes, dict, unmapped, HeadwaterFuture)):
        return False
    try:
        iter(value)
    except TypeError:
        return False
    return True


def expand_map_parameters(
    task: Task[Any, Any], parameters: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    """Yield per-run parameters: iterables zipped, everything else (and unmapped) broadcast.

    Defaults the caller did not pass are broadcast, never iterated.
    """
    defaults = task.shape.defaults
    iterables: dict[str, list[Any]] = {}
    static: dict[str, Any] = {}
    for name, value in parameters.items():
        passed_default = name in defaults and value is defaults[name]
        if isinstance(value, unmapped):
            static[name] = value.value
        elif not passed_default and _is_mappable(value):
            iterables[name] = list(value)
        else:
            static[name] = value
    if not iterables:
        raise MappingMissingIterable(
            f"No iterable parameters were received for task {task.name!r}; .map() needs at "
            f"least one (wrap values to broadcast in unmapped()). Parameters: {list(parameters)}"
        )
    lengths = {len(v) for v in iterables.values()}
    if len(lengths) > 1:
        detail = ", ".join(f"{k}={len(v)}" for k, v in iterables.items())
        raise MappingLengthMismatch(
            f"Received iterable parameters with different lengths for task {task.name!r}: {detail}"
        )
    for i in range(lengths.pop()):
        params = dict(static)
        for name, values in iterables.items():
            params[name] = values[i]
        yield {name: params[name] for name in parameters}
