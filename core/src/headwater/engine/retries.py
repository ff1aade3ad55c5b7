"""Whether a failed task run attempt is retried, and how long it waits first.

Jitter follows Prefect (prefect/utilities/math.py `clamped_poisson_interval`,
applied by the server's RetryFailedTasks rule in
prefect/server/orchestration/core_policy.py): the delay is drawn from an
exponential distribution around the base delay, clamped to at most
`delay * (1 + jitter)` and at least a lower bound chosen so the mean stays
close to the base delay. So a jittered delay is never "immediately": with a
factor of 0.5 a 10 s delay lands between about 6.3 s and 15 s.
"""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING, Any

from headwater.engine.hooks import call_maybe_async
from headwater.options import retry_delay
from headwater.states import Failed, State

if TYPE_CHECKING:
    from headwater.history.records import TaskRun
    from headwater.tasks import Task


def retry_delay_for(task: Task[Any, Any], attempt: int, rng: random.Random | None = None) -> float:
    """Seconds to wait before retrying after failed attempt number `attempt`."""
    delay = retry_delay(task.retry_delay_seconds, attempt)
    jitter = task.retry_jitter_factor
    if delay > 0 and jitter:
        return clamped_poisson_interval(delay, jitter, rng)
    return delay


def clamped_poisson_interval(
    average: float, clamping_factor: float = 0.3, rng: random.Random | None = None
) -> float:
    """A Poisson inter-arrival time around `average`, within
    [average * lower_clamp_multiple(1 + factor), average * (1 + factor)]."""
    if clamping_factor <= 0:
        raise ValueError(f"clamping_factor must be > 0, got {clamping_factor}")
    upper_multiple = 1 + clamping_factor
    upper_bound = average * upper_multiple
    lower_bound = max(0.0, average * lower_clamp_multiple(upper_multiple))
    low = _exponential_cdf(lower_bound, average)
    high = _exponential_cdf(upper_bound, average)
    u = (rng or random).uniform(low, high)
    return -math.log(max(1 - u, 1e-10)) * average


def lower_clamp_multiple(k: float) -> float:
    """The lower multiple `c` for which as much probability lies between `c * average`
    and the median as between the median and `k * average`."""
    if k >= 50:  # 2**k overflows the precision; the bound is 0 in the limit
        return 0.0
    return math.log(max(2**k / (2**k - 1), 1e-10), 2)


def _exponential_cdf(x: float, average: float) -> float:
    return 1 - math.exp(-x / average)


def should_retry(
    task: Task[Any, Any], task_run: TaskRun, failure: BaseException | State, logger: Any
) -> bool:
    """`retry_condition_fn(task, task_run, state)` if the task has one; it gets the
    failed state (built from the exception when the body raised)."""
    condition = task.retry_condition_fn
    if condition is None:
        return True
    failed = failure if isinstance(failure, State) else Failed(message=str(failure), data=failure)
    try:
        return bool(call_maybe_async(condition, task, task_run, failed))
    except Exception:
        logger.error("retry_condition_fn raised; not retrying", exc_info=True)
        return False
