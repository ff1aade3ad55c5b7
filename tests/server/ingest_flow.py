"""A flow of N tasks, each logging a line, recorded wherever HEADWATER_API_URL / HEADWATER_HOME
say (run by the ingest tests and bench/server_load.py in their own processes).

    python ingest_flow.py N [SECONDS_PER_TASK]

Prints the flow run's id on stdout.
"""

import sys
import time

from headwater import flow, get_run_logger, task
from headwater.runtime import flow_run


@task
def step(i: int, pause: float) -> int:
    get_run_logger().info("step %s", i)
    if pause:
        time.sleep(pause)
    return i


@flow(name="ingest")
def ingest(n: int, pause: float = 0.0) -> int:
    print(flow_run.id, flush=True)
    return sum(step(i, pause) for i in range(n))


if __name__ == "__main__":
    ingest(int(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 0.0)
