"""Run every benchmark in fresh subprocesses and print one table.

    python bench/run.py [--reps N] [--quick]

Each workload runs beside its plain-Python floor, several times, each time in a
new process with a new, empty HEADWATER_HOME; the table shows medians. Prefect's
figures are from shared/reference/perf-anchors.md (Prefect 3.9.1, temporary
server mode, same machine). Raw samples go to bench/results/<time>.json.
This only measures and prints; nothing here passes or fails on a number.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WORKLOADS = HERE / "workloads.py"
PY = sys.executable
TIMEOUT = 300

ONE_TASK_SCRIPT = """
from headwater import flow, task

@task
def hello():
    return 1

@flow
def main():
    return hello()

main()
"""
ONE_TASK_FLOOR = """
def hello():
    return 1

def main():
    return hello()

main()
"""
COUNT_TASK_RUNS = "from headwater.history import get_store; print(get_store().count_task_runs())"


@dataclass
class Row:
    workload: str
    unit: str  # how to show values: "s", "ms", "us", "MB", "count"
    target: str
    prefect: str
    ok: Callable[[float], bool] | None = None
    headwater: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    shown: str | None = None  # overrides the formatted headwater median

    def med(self, xs: list[float]) -> float | None:
        return statistics.median(xs) if xs else None


class Home:
    """A fresh HEADWATER_HOME for one process."""

    def __enter__(self) -> dict[str, str]:
        self.path = tempfile.mkdtemp(prefix="hw-bench-")
        return {**os.environ, "HEADWATER_HOME": self.path}

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def wall(argv: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"process exited {proc.returncode}: {proc.stderr[-2000:]}")
    return elapsed


def workload(name: str, mode: str, arg: int, env: dict[str, str]) -> dict[str, Any]:
    argv = [PY, str(WORKLOADS), name, mode, str(arg)]
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("BENCH_RESULT "):
            if proc.returncode != 0:
                break
            return json.loads(line.removeprefix("BENCH_RESULT "))
    raise RuntimeError(f"{name} {mode} exited {proc.returncode}: {proc.stderr[-2000:]}")


def measure(row: Row, reps: int, once: Callable[[str], float | dict[str, Any]]) -> None:
    """Alternate headwater and floor runs, `reps` of each."""
    try:
        for _ in range(reps):
            for mode, samples in (("headwater", row.headwater), ("floor", row.floor)):
                got = once(mode)
                if isinstance(got, dict):
                    samples.append(got.pop("value"))
                    for k, v in got.items():
                        row.extra.setdefault(f"{mode}.{k}", []).append(v)
                else:
                    samples.append(got)
    except Exception as exc:  # keep going: one broken workload must not hide the rest
        row.error = last_line(exc)


def last_line(exc: BaseException) -> str:
    """The useful part of a failure: its first words and the traceback's last line."""
    text = str(exc).strip()
    if not text:
        return repr(exc)
    lines = text.splitlines()
    head = lines[0].split(":")[0]
    return (lines[-1] if len(lines) == 1 else f"{head}: {lines[-1]}")[:300]


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value:.3f} s" if value >= 0.1 else f"{value * 1e3:.1f} ms"
    if unit == "ms":
        return f"{value * 1e3:.2f} ms" if value >= 1e-3 else f"{value * 1e6:.1f} µs"
    if unit == "us":
        return f"{value * 1e6:.2f} µs" if value >= 1e-7 else f"{value * 1e9:.0f} ns"
    if unit == "MB":
        return f"{value:.1f} MB"
    return f"{value:,.0f}"


def run_all(reps: int, quick: bool) -> list[Row]:
    rows: list[Row] = []
    seq_sizes = (1000,) if quick else (1000, 10000)
    big_n = 10_000 if quick else 100_000

    def one_process(argv_of: Callable[[str], list[str]]) -> Callable[[str], float]:
        def once(mode: str) -> float:
            with Home() as env:
                return wall(argv_of(mode), env)

        return once

    def in_process(name: str, arg: int) -> Callable[[str], dict[str, Any]]:
        def once(mode: str) -> dict[str, Any]:
            with Home() as env:
                return workload(name, mode, arg, env)

        return once

    row = Row("a. `import headwater`, process wall", "s", "< 150 ms", "1.58 s", lambda v: v < 0.150)
    measure(
        row,
        reps + 2,
        one_process(lambda m: [PY, "-c", "import headwater" if m == "headwater" else "pass"]),
    )
    rows.append(row)

    row = Row("b. one-task script, process wall", "s", "< 0.5 s", "11.8 s", lambda v: v < 0.5)
    measure(
        row,
        reps + 2,
        one_process(lambda m: [PY, "-c", ONE_TASK_SCRIPT if m == "headwater" else ONE_TASK_FLOOR]),
    )
    rows.append(row)

    row = Row("c. empty flow call, per flow (200)", "ms", "< 2 ms", "≈1.1 s", lambda v: v < 2e-3)
    measure(row, reps, in_process("empty_flows", 200))
    rows.append(row)

    prefect_seq = {1000: "9.9 ms", 10000: "9.6 ms (N=5000)"}
    for n in seq_sizes:
        row = Row(
            f"d. sequential tasks, per task in-flow, N={n:,}",
            "us",
            "< 50 µs",
            prefect_seq[n],
            lambda v: v < 50e-6,
        )
        measure(row, reps, in_process("sequential", n))
        rows.append(row)

    row = Row(
        "e. `.submit()`+`.result()`, thread runner, N=1,000",
        "us",
        "< 150 µs",
        "8.5 ms",
        lambda v: v < 150e-6,
    )
    measure(row, reps, in_process("submitted", 1000))
    rows.append(row)

    row = Row(
        "f. peak RSS, flow of 1,000 sequential tasks",
        "MB",
        "< 60 MB",
        "181 MB (+234 MB server)",
        lambda v: v < 60,
    )
    measure(row, reps, in_process("peak_rss", 1000))
    rows.append(row)

    rows.extend(big_flow_rows(big_n))

    row = Row(
        f"g. peak RSS, flow holding {big_n:,} `.submit()`ed futures (thread runner)",
        "MB",
        "< 120 MB" if big_n >= 100_000 else "-",
        "-",
        (lambda v: v < 120) if big_n >= 100_000 else None,
    )
    measure(row, 1, in_process("submitted_rss", big_n))
    rows.append(row)

    row = Row(
        "h. fan-in DAG (6 tasks), per flow over 50 flows",
        "ms",
        "-",
        "1.156 s",
    )
    measure(row, reps, in_process("fan_in", 50))
    rows.append(row)
    return rows


def big_flow_rows(n: int) -> list[Row]:
    """(g) one run only: n task runs, all recorded after exit; memory flat."""
    recorded = Row(
        f"g. {n:,}-task flow: task runs in the store after exit",
        "count",
        f"{n:,}",
        "60 of 1,000 kept",
        lambda v: v == n,
    )
    memory = Row(
        f"g. same flow: RSS at {n // 10:,} tasks -> at {n:,}",
        "MB",
        "flat",
        "-",
    )
    wall_row = Row(f"g. same flow: wall time of the flow, N={n:,}", "s", "-", "-")
    try:
        with Home() as env:
            got = workload("big_flow", "headwater", n, env)
            count = subprocess.run(
                [PY, "-c", COUNT_TASK_RUNS],
                env=env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
            )
            if count.returncode != 0:
                raise RuntimeError(count.stderr.strip().splitlines()[-1])
            recorded.headwater.append(float(count.stdout.strip()))
        with Home() as env:
            floor = workload("big_flow", "floor", n, env)
        before, after = got["rss_at_tenth_mb"], got["rss_at_end_mb"]
        memory.headwater.append(after)
        memory.floor.append(floor["rss_at_end_mb"])
        memory.shown = f"{before:.1f} -> {after:.1f} MB"
        memory.ok = lambda _v: after <= before * 1.10 + 5
        memory.extra = {"rss_at_tenth_mb": before, "rss_at_end_mb": after}
        wall_row.headwater.append(got["value"])
        wall_row.floor.append(floor["value"])
    except Exception as exc:
        for r in (recorded, memory, wall_row):
            r.error = last_line(exc)
    return [recorded, memory, wall_row]


def render(rows: list[Row]) -> str:
    header = ["workload", "headwater", "floor", "ratio", "target", "met", "Prefect 3.9.1"]
    table = []
    for r in rows:
        hw, fl = r.med(r.headwater), r.med(r.floor)
        if r.error:
            table.append([r.workload, "ERROR", fmt(fl, r.unit), "-", r.target, "-", r.prefect])
            continue
        ratio = f"{hw / fl:,.1f}x" if hw is not None and fl else "-"
        met = "-" if r.ok is None or hw is None else ("yes" if r.ok(hw) else "NO")
        shown = r.shown or fmt(hw, r.unit)
        table.append([r.workload, shown, fmt(fl, r.unit), ratio, r.target, met, r.prefect])
    widths = [max(len(str(x)) for x in col) for col in zip(header, *table)]
    lines = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    lines += [
        "| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |" for row in table
    ]
    errors = [f"  {r.workload}: {r.error}" for r in rows if r.error]
    if errors:
        lines += ["", "errors:", *errors]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5, help="fresh processes per workload")
    parser.add_argument("--quick", action="store_true", help="smaller N, for a smoke run")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    started = time.time()
    rows = run_all(args.reps, args.quick)
    table = render(rows)
    print(table)

    out_dir = HERE / "results"
    out_dir.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    record = {
        "started": started,
        "seconds": time.time() - started,
        "load1_before": load_before,
        "python": sys.version,
        "platform": platform.platform(),
        "reps": args.reps,
        "quick": args.quick,
        "rows": [
            {k: v for k, v in asdict(r).items() if k != "ok"}
            | {"headwater_median": r.med(r.headwater), "floor_median": r.med(r.floor)}
            for r in rows
        ],
        "table": table,
    }
    path = out_dir / f"bench-{stamp}.json"
    path.write_text(json.dumps(record, indent=2, default=str))
    print(
        f"\nmedians of {args.reps} fresh processes (a, b: {args.reps + 2}); load1 before: "
        f"{load_before:.2f}; took {record['seconds']:.0f} s; raw: {path.relative_to(HERE.parent)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
