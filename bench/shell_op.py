"""ShellOperation overhead: `op()` of `echo hi` inside a flow vs `subprocess.run` of it.

    python bench/shell_op.py [--n 200]            # the comparison, one table
    python bench/shell_op.py headwater|floor [N]  # one side, `BENCH_RESULT {json}` (run.py style)

Standalone (bench/run.py belongs to the bench harness; this follows its
conventions: a fresh HEADWATER_HOME per process, each side beside its floor,
medians, `BENCH_RESULT` lines). The target: op() costs at most 5 ms more per
call than the floor, `subprocess.run("echo hi", shell=True, capture_output=True)`.
Samples alternate between the two sides so machine noise hits both alike.
Console logging is off (HEADWATER_LOGGING_TO_CONSOLE=false); lines are still
streamed to the run store, as `stream_output=True` (the default) does.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

perf = time.perf_counter
COMMAND = "echo hi"
TARGET_MS = 5.0


def floor_once() -> float:
    t0 = perf()
    out = subprocess.run(COMMAND, shell=True, capture_output=True, text=True)
    elapsed = perf() - t0
    assert out.stdout == "hi\n"
    return elapsed


def sample(n: int) -> dict[str, list[float]]:
    """n alternating samples of each side, inside one flow run."""
    from headwater import flow
    from headwater_shell import ShellOperation

    op = ShellOperation(commands=[COMMAND])

    @flow
    def bench() -> dict[str, list[float]]:
        got: dict[str, list[float]] = {"headwater": [], "floor": []}
        op()  # first call pays one-time setup (imports, store, logging)
        floor_once()
        for _ in range(n):
            t0 = perf()
            assert op() == "hi"
            got["headwater"].append(perf() - t0)
            got["floor"].append(floor_once())
        return got

    return bench()


def one_side(mode: str, n: int) -> dict[str, Any]:
    if mode == "floor":
        floor_once()
        samples = [floor_once() for _ in range(n)]
    else:
        samples = sample(n)["headwater"]
    return {"value": statistics.median(samples)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", nargs="?", choices=["headwater", "floor"])
    parser.add_argument("n", nargs="?", type=int, default=200)
    parser.add_argument("--n", dest="n_opt", type=int)
    args = parser.parse_args()
    n = args.n_opt or args.n
    home = tempfile.mkdtemp(prefix="hw-bench-shell-")
    os.environ["HEADWATER_HOME"] = home
    os.environ.setdefault("HEADWATER_LOGGING_TO_CONSOLE", "false")
    try:
        if args.mode:
            print("BENCH_RESULT " + json.dumps(one_side(args.mode, n)))
            return
        got = sample(n)
    finally:
        from headwater.history import reset_store

        reset_store()
        shutil.rmtree(home, ignore_errors=True)
    hw, fl = (statistics.median(got[k]) * 1e3 for k in ("headwater", "floor"))
    extra = hw - fl
    verdict = "ok" if extra <= TARGET_MS else "OVER TARGET"
    print(f"{'workload':<34} {'headwater':>10} {'floor':>10} {'extra':>10}  target")
    print(
        f"{'op() of echo hi in a flow':<34} {hw:>8.2f}ms {fl:>8.2f}ms {extra:>8.2f}ms"
        f"  <= {TARGET_MS:g} ms: {verdict}"
    )
    print(f"(medians of {n} alternating samples; floor = subprocess.run({COMMAND!r}, shell=True))")
    sys.exit(0)


if __name__ == "__main__":
    main()
