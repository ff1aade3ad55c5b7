"""Checks and normalisation shared by `@flow` and `@task` options.

Each check raises an error that names the flow or task and says what to do.
"""

from __future__ import annotations

import datetime
import inspect
from collections.abc import Callable
from typing import Any

from headwater.exceptions import InvalidNameError, ReservedArgumentError

BANNED_NAME_CHARACTERS = ("/", "%", "&", ">", "<")
RESERVED_PARAMETERS = ("return_state", "wait_for")
MAX_RETRY_DELAYS = 50


class _NotSetType:
    """The "option not given" sentinel; pickles to the same object, so a task shipped
    to a worker process still tells "not given" from a given value."""

    _instance: _NotSetType | None = None

    def __new__(cls) -> _NotSetType:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __reduce__(self) -> str:
        return "NotSet"

    def __repr__(self) -> str:
        return "NotSet"


NotSet: Any = _NotSetType()


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


def _number(value: Any) -> bool:
    """A real number: int or float, not bool (True is an int to Python, never a count here)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _got(value: Any) -> str:
    return f"{value!r} ({type(value).__name__})"


def check_retries(retries: Any, owner: str) -> int:
    """`retries` as an int >= 0; `owner` is e.g. "task 'load'"."""
    if retries is None:
        return 0
    if not isinstance(retries, int) or isinstance(retries, bool):
        raise TypeError(
            f"retries for {owner} must be a whole number of retries, got {_got(retries)}; "
            f"pass an int, e.g. retries=3"
        )
    if retries < 0:
        raise ValueError(
            f"retries for {owner} must be >= 0, got {retries}; use retries=0 for no retries"
        )
    return retries


def check_timeout(timeout_seconds: Any, owner: str) -> float | None:
    """`timeout_seconds` as a float > 0, or None for no timeout."""
    if timeout_seconds is None:
        return None
    if not _number(timeout_seconds):
        raise TypeError(
            f"timeout_seconds for {owner} must be a number of seconds, got "
            f"{_got(timeout_seconds)}; pass a number, e.g. timeout_seconds=5"
        )
    if timeout_seconds <= 0:
        raise ValueError(
            f"timeout_seconds for {owner} must be > 0, got {timeout_seconds}; "
            f"leave it unset (None) for no timeout"
        )
    return float(timeout_seconds)


def check_jitter(factor: Any, owner: str) -> float | None:
    """`retry_jitter_factor` as a float >= 0, or None."""
    if factor is None:
        return None
    if not _number(factor):
        raise TypeError(
            f"retry_jitter_factor for {owner} must be a number, got {_got(factor)}; "
            f"e.g. retry_jitter_factor=0.5"
        )
    if factor < 0:
        raise ValueError(
            f"retry_jitter_factor for {owner} must be >= 0, got {factor}; "
            f"e.g. retry_jitter_factor=0.5 (or None for no jitter)"
        )
    return float(factor)


def check_cache_expiration(expiration: Any, owner: str) -> datetime.timedelta | None:
    """`cache_expiration` as a timedelta (a number is taken as seconds), or None."""
    if expiration is None or isinstance(expiration, datetime.timedelta):
        return expiration
    if not _number(expiration):
        raise TypeError(
            f"cache_expiration for {owner} must be a datetime.timedelta, got "
            f"{_got(expiration)}; e.g. cache_expiration=timedelta(hours=1)"
        )
    if expiration < 0:
        raise ValueError(
            f"cache_expiration for {owner} must not be negative, got {expiration} seconds; "
            f"e.g. cache_expiration=timedelta(hours=1)"
        )
    return datetime.timedelta(seconds=float(expiration))


def normalize_retry_delays(
    delays: Any, retries: int, owner: str = "this task"
) -> float | list[float]:
    """A number, or a list of per-attempt delays (the last one repeats)."""
    if delays is None:
        return 0.0
    if callable(delays):
        delays = delays(retries)
    fix = "pass seconds as a number or a list of numbers, e.g. retry_delay_seconds=[1, 10, 60]"
    if _number(delays):
        if delays < 0:
            raise ValueError(f"retry_delay_seconds for {owner} must be >= 0, got {delays}; {fix}")
        return float(delays)
    if not isinstance(delays, (list, tuple)):
        raise TypeError(f"retry_delay_seconds for {owner} got {_got(delays)}; {fix}")
    delays = list(delays)
    if len(delays) > MAX_RETRY_DELAYS:
        raise ValueError(
            f"Can not configure more than {MAX_RETRY_DELAYS} retry delays per task: "
            f"retry_delay_seconds for {owner} has {len(delays)}; pass at most "
            f"{MAX_RETRY_DELAYS} (the last one repeats for later retries)"
        )
    bad = [d for d in delays if not _number(d) or d < 0]
    if bad:
        raise ValueError(
            f"retry_delay_seconds for {owner} must be numbers >= 0, got {delays} "
            f"(bad: {', '.join(_got(d) for d in bad)}); {fix}"
        )
    return [float(d) for d in delays]


def check_flow_retry_delay(delay: Any, owner: str) -> float:
    """A flow's `retry_delay_seconds`: one number of seconds >= 0 (flows take no list)."""
    if delay is None:
        return 0.0
    if not _number(delay):
        raise TypeError(
            f"retry_delay_seconds for {owner} must be a number of seconds, got {_got(delay)}; "
            f"e.g. retry_delay_seconds=10"
        )
    if delay < 0:
        raise ValueError(f"retry_delay_seconds for {owner} must be >= 0, got {delay}")
    return float(delay)


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
