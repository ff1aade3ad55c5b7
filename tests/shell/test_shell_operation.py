"""ShellOperation's surface: op() as a tracked task, run(), trigger(), async twins, options."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pydantic
import pytest
from headwater import flow
from headwater.history import get_store
from headwater_shell import ShellOperation, ShellProcess
from shell_support import flow_run_id


def test_call_in_a_flow_returns_stdout_as_one_string(tmp_path: Path, run_flow):
    (tmp_path / "example.txt").write_text("a\nb\nc\n")

    @flow
    def count(filename: str) -> int:
        out = ShellOperation(commands=[f"wc -l {filename}"], working_dir=tmp_path)()
        assert isinstance(out, str)
        return int(out.split()[0])

    state = run_flow(count, "example.txt")
    assert state.result() == 3
    store = get_store()
    store.flush()
    (task_run,) = store.read_task_runs(flow_run_id=flow_run_id(state))
    assert task_run["name"].startswith("wc -l example.txt-")
    assert task_run["state_type"] == "COMPLETED"


def test_call_joins_lines_of_several_commands():
    op = ShellOperation(commands=["echo one", "echo two", "echo three >&2"])
    assert op() == "one\ntwo"


def test_call_outside_a_flow_is_tracked_on_its_own():
    assert ShellOperation(commands=["echo alone"])() == "alone"
    store = get_store()
    store.flush()
    runs = store.read_task_runs()
    assert [r["name"].rsplit("-", 1)[0] for r in runs] == ["echo alone"]
    assert runs[0]["flow_run_id"] is None and runs[0]["state_type"] == "COMPLETED"


def test_task_name_is_the_first_command_shortened():
    op = ShellOperation(commands=["python -c 'print(1)' > /dev/null " + "x" * 80, "true"])
    name = op._task_name()
    assert len(name) < 60 and name.endswith("(+1)") and "/" not in name and ">" not in name


def test_run_returns_stdout_lines():
    assert ShellOperation(commands=["echo a; echo b >&2", "printf 'c\\nd'"]).run() == [
        "a",
        "c",
        "d",
    ]


def test_cd_in_one_command_carries_to_the_next(tmp_path: Path):
    assert ShellOperation(commands=[f"cd {tmp_path}", "pwd"]).run() == [str(tmp_path)]


def test_working_dir_and_env(tmp_path: Path):
    op = ShellOperation(
        commands=["pwd", "echo $MY_VAR", "echo $HEADWATER_HOME"],
        working_dir=str(tmp_path),
        env={"MY_VAR": "Prefect is awesome!"},
    )
    assert op.run() == [str(tmp_path), "Prefect is awesome!", os.environ["HEADWATER_HOME"]]


def test_return_all_interleaves_stderr_in_arrival_order():
    """Two pipes: lines written at the same instant may swap, so the writes are spaced."""
    op = ShellOperation(
        commands=[
            "echo out1",
            "sleep 0.05; echo err1 >&2",
            "sleep 0.05; echo out2",
            "sleep 0.05; echo err2 >&2",
        ],
        return_all=True,
    )
    assert op.run() == ["out1", "err1", "out2", "err2"]
    assert op() == "out1\nerr1\nout2\nerr2"


def test_output_is_kept_when_not_streamed():
    op = ShellOperation(commands=["echo kept"], stream_output=False)
    assert op.run() == ["kept"]
    assert op() == "kept"


def test_trigger_returns_a_shell_process(tmp_path: Path):
    gate = tmp_path / "gate"
    op = ShellOperation(commands=[f"while [ ! -e {gate} ]; do sleep 0.01; done", "echo done"])
    with op:
        process = op.trigger()
        assert isinstance(process, ShellProcess)
        assert process.pid > 0 and process.return_code is None
        gate.touch()
        process.wait_for_completion()
        assert process.return_code == 0
        assert process.fetch_result() == ["done"]


def test_async_twins():
    async def main() -> tuple[list[str], list[str], int | None]:
        op = ShellOperation(commands=["echo async", "sleep 0.05; echo err >&2"], return_all=True)
        lines = await op.arun()
        process = await op.atrigger()
        await process.await_for_completion()
        return lines, await process.afetch_result(), process.return_code

    assert asyncio.run(main()) == (["async", "err"], ["async", "err"], 0)


def test_async_flow_can_await_arun():
    @flow
    async def main() -> list[str]:
        return await ShellOperation(commands=["echo from async flow"]).arun()

    assert asyncio.run(main()) == ["from async flow"]


def test_other_shells_and_extension():
    assert ShellOperation(commands=["echo $0"], shell="sh", extension="sh").run()[0].endswith(".sh")
    assert ShellOperation(commands=["echo hi"], shell="/bin/sh").run() == ["hi"]


def test_plain_script_for_a_non_posix_shell():
    """An interpreter used as the shell gets Prefect's plain script (no markers)."""
    op = ShellOperation(commands=["print('py')", "print(2)"], shell="python3", extension=".py")
    assert op.run() == ["py", "2"]
    failing = ShellOperation(commands=["raise SystemExit(3)"], shell="python3", extension=".py")
    with pytest.raises(RuntimeError, match="exit code 3"):
        failing.run()


def test_unknown_fields_are_rejected():
    """Prefect silently ignores a misspelt field; headwater names it."""
    with pytest.raises(pydantic.ValidationError, match="comands"):
        ShellOperation(commands=["true"], comands=["oops"])


def test_seed_fields_are_real():
    op = ShellOperation(commands=["true"], return_all=True, continue_on_error=False)
    assert op.return_all is True and op.continue_on_error is False
    assert ShellOperation.get_block_type_slug() == "shell-operation"
