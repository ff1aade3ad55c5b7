"""Timeouts, cancellation, close() and Ctrl-C end the script's whole process tree.

Each script records its pid (its process group id, since it runs in a new
session) and then hangs in a tree: a background `sleep`, and a `sleep` under a
nested `sh`. The proof is that `os.killpg(pgid, 0)` raises ProcessLookupError:
not one process of the group, not even a zombie, survives.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from headwater import flow, task
from headwater.exceptions import FlowRunTimeoutError
from headwater_shell import ShellCommandError, ShellOperation
from shell_support import assert_group_gone, wait_for_pid


def test_task_timeout_kills_the_tree(hanging, pidfile, run_flow):
    @task(timeout_seconds=0.5)
    def build() -> list[str]:
        return ShellOperation(commands=hanging).run()

    @flow
    def pipeline() -> None:
        build()

    started = time.monotonic()
    state = run_flow(pipeline)
    assert time.monotonic() - started < 5
    assert state.is_failed()
    assert_group_gone(wait_for_pid(pidfile))


def test_flow_timeout_kills_the_tree_of_op_call(hanging, pidfile, run_flow):
    @flow(timeout_seconds=0.5)
    def pipeline() -> str:
        return ShellOperation(commands=hanging)()

    state = run_flow(pipeline)
    assert state.name == "TimedOut"
    with pytest.raises(FlowRunTimeoutError):
        state.result()
    assert_group_gone(wait_for_pid(pidfile))


def test_close_kills_a_triggered_tree(hanging, pidfile):
    op = ShellOperation(commands=hanging)
    process = op.trigger()
    pgid = wait_for_pid(pidfile)
    assert pgid == process.pid
    op.close()
    assert_group_gone(pgid)
    assert process.return_code == -signal.SIGTERM
    with pytest.raises(ShellCommandError, match="killed by SIGTERM"):
        process.wait_for_completion()


def test_leaving_the_with_block_kills_the_tree(hanging, pidfile):
    with pytest.raises(ZeroDivisionError):
        with ShellOperation(commands=hanging) as op:
            op.trigger()
            wait_for_pid(pidfile)
            1 / 0  # noqa: B018
    assert_group_gone(wait_for_pid(pidfile))


def test_sigterm_ignored_means_sigkill_after_the_grace_period(pidfile):
    op = ShellOperation(commands=["trap '' TERM", f"echo $$ > {pidfile}", "sleep 9999"])
    process = op.trigger()
    pgid = wait_for_pid(pidfile)
    started = time.monotonic()
    process.kill(grace=0.3)
    assert time.monotonic() - started < 3
    assert_group_gone(pgid)


def test_cancelling_arun_kills_the_tree(hanging, pidfile):
    async def main() -> None:
        job = asyncio.ensure_future(ShellOperation(commands=hanging).arun())
        while not pidfile.exists() or not pidfile.read_text().strip():
            await asyncio.sleep(0.01)
        job.cancel()
        with pytest.raises(asyncio.CancelledError):
            await job

    asyncio.run(main())
    assert_group_gone(wait_for_pid(pidfile))


def test_keyboard_interrupt_kills_the_tree(hanging, pidfile, tmp_path: Path):
    script = tmp_path / "interrupted.py"
    script.write_text(
        "from headwater import flow\n"
        "from headwater_shell import ShellOperation\n"
        "@flow\n"
        "def main():\n"
        f"    return ShellOperation(commands={hanging!r})()\n"
        "main()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        pgid = wait_for_pid(pidfile, timeout=30)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    text = out.decode(errors="replace")
    assert proc.returncode != 0, text
    assert "KeyboardInterrupt" in text, text
    assert_group_gone(pgid)


def test_normal_completion_reaps_the_script(pidfile):
    process = ShellOperation(commands=[f"echo $$ > {pidfile}", "true"]).trigger()
    process.wait_for_completion()
    assert_group_gone(wait_for_pid(pidfile))
