"""What type checkers see of headwater's public API (checked by mypy and pyright, never run).

`assert_type` lines must hold; lines marked `# type: ignore[...]` must fail:
mypy's warn_unused_ignores and pyright's reportUnnecessaryTypeIgnoreComment
turn a line that stopped failing into an error. `nox -s types` runs both.
"""

from __future__ import annotations

from typing import Any

import headwater
from headwater import HeadwaterFuture, State, flow, task
from headwater.futures import HeadwaterFutureList
from typing_extensions import assert_type


@task
def add(x: int, y: int = 1) -> int:
    return x + y


@task(retries=2, retry_delay_seconds=[1, 2], tags=["math"])
def concat(a: str, b: str) -> str:
    return a + b


@task
async def fetch(url: str) -> bytes:
    return url.encode()


@flow
def pipeline(n: int) -> list[int]:
    return [n]


@flow(name="async-pipeline", log_prints=True)
async def apipeline(n: int) -> str:
    return str(n)


class Service:
    @task
    def method(self, x: int) -> float:
        return x / 2

    @task
    @staticmethod
    def static(x: int) -> str:
        return str(x)


# --- calling -------------------------------------------------------------------
assert_type(add(1, 2), int)
assert_type(add(1), int)
assert_type(concat("a", b="b"), str)
assert_type(pipeline(3), list[int])
assert_type(add(1, 2, return_state=True), State[int])
assert_type(pipeline(1, return_state=True), State[list[int]])
assert_type(add(1, 2, return_state=True).result(), int)
assert_type(add(1, 2, wait_for=[]), int)


async def use_async() -> None:
    assert_type(await fetch("u"), bytes)
    assert_type(await apipeline(1), str)


# --- futures ---------------------------------------------------------------------
assert_type(add.submit(1, 2), HeadwaterFuture[int])
assert_type(add.submit(1, 2).result(), int)
assert_type(fetch.submit("u"), HeadwaterFuture[bytes])
assert_type(fetch.submit("u").result(), bytes)
assert_type(add.submit(1, return_state=True), State[int])
assert_type(add.map([1, 2]), HeadwaterFutureList[HeadwaterFuture[int]])
assert_type(add.map([1, 2])[0].result(), int)
assert_type(add.map([1, 2], return_state=True), list[State[int]])

# --- options ---------------------------------------------------------------------
assert_type(add.with_options(name="plus", retries=3)(1, 2), int)
assert_type(pipeline.with_options(timeout_seconds=5)(1), list[int])
assert_type(concat.with_options(tags=["x"]).submit("a", "b"), HeadwaterFuture[str])

# --- methods -----------------------------------------------------------------------
assert_type(Service().method(2), float)
assert_type(Service.static(2), str)

# --- what must fail (each line must stay an error, for mypy and for pyright) -------
# mypy reads the "type: ignore" comments, pyright the "pyright: ignore" ones; each reports
# an ignore that is no longer needed, so a check that stops working fails the run.
add("a", None)  # type: ignore[call-overload]  # pyright: ignore[reportArgumentType]
add(1, 2, 3)  # type: ignore[call-overload]  # pyright: ignore[reportCallIssue]
concat(1, "b")  # type: ignore[call-overload]  # pyright: ignore[reportArgumentType]
pipeline("three")  # type: ignore[call-overload]  # pyright: ignore[reportArgumentType]
wrong: str = add(1, 2)  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]
not_str: str = add.submit(1).result()  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]
task(retries="3")  # type: ignore[call-overload]  # pyright: ignore[reportArgumentType]
task(retires=3)  # type: ignore[call-overload]  # pyright: ignore[reportCallIssue]
flow(task_runner=42)  # type: ignore[call-overload]  # pyright: ignore[reportArgumentType]
add.with_options(retries="many")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
headwater.no_such_name  # type: ignore[attr-defined]  # pyright: ignore[reportAttributeAccessIssue]
Service().method("2")  # type: ignore[call-overload]  # pyright: ignore[reportArgumentType]


def untyped_option(value: Any) -> None:
    task(timeout_seconds=value)  # Any is accepted
