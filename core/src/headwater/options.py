"""Checks and normalisation shared by `@flow` and `@task` options.

Each check raises an error that names the flow or task and says what to do.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from headwater.exceptions import InvalidNameError, ReservedArgumentError

BANNED_NAME_CHARACTERS = ("/", "%", "&", ">", "<")
RESERVED_PARAMETERS = ("return_state", "wait_for")
MAX_RETRY_DELAYS = 50


def check_name(name: Any, fn: Callable[..., Any], kind: str, dash: bool) -> str:
    """The name to use: the given one (validated) or the function's."""
    if name is None:
        fn_name = getattr(fn, "__name__", None) or type(fn).__name__
        return fn_name.replace("_", "-") if dash else fn_name
    if not isinstance(name, str):
        hint = f" (to name runs dynamically use {kind}_run_name=...)" if callable(name) else ""
        raise TypeError(f"The {kind} name must be a string, got {type(name).__name__}{hint}")
    bad = [c for c in BANNED_NAME_CHARACTERS if c in name]
    if bad:
        raise InvalidNameError(
            f"{kind.title()} name {name!r} contains {' '.join(repr(c) for c in bad)}; "
            f"names may not contain any of {' '.join(BANNED_NAME_CHARACTERS)}"
        )
    if not name.strip():
        raise InvalidNameError(f"{kind.title()} name must not be empty")
    return name


def check_reserved_parameters(fn: Callable[..., Any], name: str, kind: str) -> None:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return
    for reserved in RESERVED_PARAMETERS:
        if reserved in params:
            raise ReservedArgumentError(
                f"{kind.title()} {name!r} declares a parameter named {reserved!r}, which is "
                f"reserved for the engine (`{name}(..., {reserved}=...)`). Rename the parameter."
            )


def check_hooks(hooks: Any, option: str) -> list[Callable[..., Any]]:
    if hooks is None:
        return []
    if not isinstance(hooks, (list, tuple)):
        raise TypeError(
            f"Expected a list of callables for '{option}'; got {type(hooks).__name__} instead. "
            f"Wrap it in a list: {option}=[{getattr(hooks, '__name__', 'hook')}]"
        )
    for hook in hooks:
        if not callable(hook):
            raise TypeError(f"Every hook in '{option}' must be callable; got {hook!r}")
    return list(hooks)


def normalize_retry_delays(delays: Any, retries: int) -> float | list[float]:
    """A number, or a list of per-attempt delays (the last one repeats)."""
    if delays is None:
        return 0.0
    if callable(delays):
        delays = delays(retries)
    if isinstance(delays, (int, float)):
        if delays < 0:
            raise ValueError(f"retry_delay_seconds must be >= 0, got {delays}")
        return float(delays)
    delays = list(delays)
    if len(delays) > MAX_RETRY_DELAYS:
        raise ValueError(f"Can not configure more than {MAX_RETRY_DELAYS} retry delays per task.")
    if any((not isinstance(d, (int, float))) or d < 0 for d in delays):
        raise ValueError(f"retry_delay_seconds must be numbers >= 0, got {delays}")
    return [float(d) for d in delays]


def retry_delay(delays: float | list[float], attempt: int) -> float:
    """The delay before retry number `attempt` (1-based)."""
    if isinstance(delays, float):
        return delays
    if not delays:
        return 0.0
    return delays[min(attempt - 1, len(delays) - 1)]


class HookDecorators:
    """`@my_task.on_completion`-style registration, shared by Flow and Task."""

    on_completion_hooks: list[Callable[..., Any]]
    on_failure_hooks: list[Callable[..., Any]]
    on_running_hooks: list[Callable[..., Any]]

    def on_completion(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        self.on_completion_hooks.append(fn)
        return fn

    def on_failure(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        self.on_failure_hooks.append(fn)
        return fn

    def on_running(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        self.on_running_hooks.append(fn)
        return fn
