"""Records runs into HEADWATER_HOME with no server involved (run by the server tests)."""

import sys

from headwater import flow, get_run_logger, tags, task


@task
def add(x: int, y: int) -> int:
    get_run_logger().info("adding %s and %s", x, y)
    return x + y


@task
def boom() -> None:
    get_run_logger().warning("about to fail")
    raise ValueError("boom")


@flow(name="etl")
def etl(n: int = 2) -> list[int]:
    return [add(i, 1) for i in range(n)]


@flow(name="broken")
def broken() -> None:
    boom()


if __name__ == "__main__":
    with tags("nightly"):
        etl(2)
    etl(3)
    broken(return_state=True)
    print("recorded", file=sys.stderr)
