"""shell_run_command: prefect-shell's task, callable from sync and async flows."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from headwater import flow
from headwater_shell import shell_run_command
from shell_support import flow_run_id, logs_of


def test_from_a_sync_flow_returns_the_last_line(run_flow):
    @flow
    def pipeline() -> tuple[str, list[str]]:
        return (
            shell_run_command("echo a; echo b"),
            shell_run_command("echo a; echo b", return_all=True),
        )

    state = run_flow(pipeline)
    assert state.result() == ("b", ["a", "b"])


def test_from_an_async_flow():
    @flow
    async def pipeline() -> str:
        return await shell_run_command("echo async")

    assert asyncio.run(pipeline()) == "async"


def test_env_cwd_helper_and_shell(tmp_path: Path):
    out = shell_run_command(
        "echo $X $(pwd) $Y",
        env={"X": "x1"},
        cwd=str(tmp_path),
        helper_command="export Y=from-helper",
        shell="sh",
        extension=".sh",
    )
    assert out == f"x1 {tmp_path} from-helper"


def test_no_output_gives_an_empty_string():
    assert shell_run_command("true") == ""


def test_stream_level(run_flow):
    @flow
    def pipeline() -> str:
        return shell_run_command("echo leveled", stream_level=logging.WARNING)

    state = run_flow(pipeline)
    (entry,) = [e for e in logs_of(flow_run_id(state)) if e["message"].endswith("leveled")]
    assert entry["level"] == logging.WARNING
