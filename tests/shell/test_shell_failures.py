"""Failures: fail-fast, continue_on_error, and each kind of bad input named clearly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pydantic
import pytest
from headwater import flow
from headwater_shell import (
    CommandNotFoundError,
    ShellCommandError,
    ShellOperation,
    UnknownShellError,
    shell_run_command,
)
from shell_support import flow_run_id, messages_of


def test_a_failing_command_stops_the_sequence(tmp_path: Path):
    marker = tmp_path / "later-ran"
    op = ShellOperation(
        commands=["echo one", "echo oops >&2; false", f"touch {marker}"], stream_output=False
    )
    with pytest.raises(ShellCommandError) as info:
        op.run()
    err = info.value
    assert isinstance(err, RuntimeError)  # Prefect-era `except RuntimeError` still works
    assert not marker.exists()
    message = str(err)
    assert "'echo oops >&2; false'" in message
    assert "exit code 1" in message
    assert "command 2 of 3; later commands did not run" in message
    assert "oops" in message
    assert (err.command, err.exit_code, err.stderr) == ("echo oops >&2; false", 1, "oops")
    assert err.output == ["one"]


def test_only_the_failing_commands_stderr_is_quoted():
    op = ShellOperation(commands=["echo noise >&2", "echo real problem >&2; exit 2"])
    with pytest.raises(ShellCommandError) as info:
        op.run()
    assert info.value.stderr == "real problem"
    assert "noise" not in str(info.value)


def test_exit_inside_a_command_stops_the_sequence(tmp_path: Path):
    marker = tmp_path / "later-ran"
    op = ShellOperation(commands=["exit 4", f"touch {marker}"], continue_on_error=True)
    with pytest.raises(ShellCommandError, match="'exit 4' failed with exit code 4") as info:
        op.run()
    assert "later commands did not run" in str(info.value)
    assert not marker.exists()


def test_failure_inside_a_flow_fails_the_task_and_the_flow(run_flow):
    @flow
    def pipeline() -> str:
        return ShellOperation(commands=["echo start", "false", "echo never"])()

    state = run_flow(pipeline)
    assert state.is_failed()
    with pytest.raises(ShellCommandError, match="'false' failed with exit code 1"):
        state.result()


def test_continue_on_error_runs_the_rest_and_reports_at_the_end(tmp_path: Path, run_flow):
    marker = tmp_path / "later-ran"

    @flow
    def pipeline() -> str:
        op = ShellOperation(
            commands=["echo one", "echo bad >&2; false", f"touch {marker}", "echo two"],
            continue_on_error=True,
        )
        return op()

    state = run_flow(pipeline)
    assert state.result() == "one\ntwo"
    assert marker.exists()
    warnings = [m for m in messages_of(flow_run_id(state)) if "commands failed" in m]
    assert len(warnings) == 1
    assert "1 of 4 commands failed" in warnings[0]
    assert "'echo bad >&2; false' failed with exit code 1" in warnings[0]


def test_continue_on_error_raises_when_the_last_command_fails():
    op = ShellOperation(commands=["false", "echo mid", "exit 3"], continue_on_error=True)
    with pytest.raises(ShellCommandError) as info:
        op.run()
    message = str(info.value)
    assert "'exit 3' failed with exit code 3 (command 3 of 3)" in message
    assert "Earlier failures: Command 'false' failed with exit code 1" in message
    assert [f.command for f in info.value.failures] == ["false", "exit 3"]
    assert info.value.output == ["mid"]


def test_command_not_found_names_the_program():
    op = ShellOperation(commands=["echo fine", "no_such_program_xyz --flag"])
    with pytest.raises(CommandNotFoundError) as info:
        op.run()
    assert str(info.value).startswith("command not found: no_such_program_xyz")
    assert info.value.program == "no_such_program_xyz"
    assert info.value.exit_code == 127


def test_command_not_found_in_sh():
    with pytest.raises(CommandNotFoundError, match="command not found: nope_cmd_42"):
        ShellOperation(commands=["nope_cmd_42"], shell="sh").run()


def test_killed_by_a_signal_is_said_so():
    with pytest.raises(ShellCommandError, match="killed by SIGKILL"):
        ShellOperation(commands=["kill -9 $$"]).run()


def test_missing_working_dir_is_named(tmp_path: Path):
    missing = tmp_path / "nowhere"
    with pytest.raises(pydantic.ValidationError, match=f"working_dir '{missing}' does not exist"):
        ShellOperation(commands=["true"], working_dir=missing)
    a_file = tmp_path / "file"
    a_file.write_text("")
    with pytest.raises(pydantic.ValidationError, match="is not a directory"):
        ShellOperation(commands=["true"], working_dir=a_file)


def test_working_dir_removed_after_construction(tmp_path: Path):
    gone = tmp_path / "gone"
    gone.mkdir()
    op = ShellOperation(commands=["true"], working_dir=gone)
    shutil.rmtree(gone)
    with pytest.raises(FileNotFoundError, match=f"working directory does not exist: '{gone}'"):
        op.run()


def test_unknown_shell_is_named():
    op = ShellOperation(commands=["true"], shell="no-such-shell")
    with pytest.raises(UnknownShellError, match="unknown shell 'no-such-shell'"):
        op.run()
    with pytest.raises(UnknownShellError, match="unknown shell 'no-such-shell'"):
        op()


def test_empty_commands_list():
    with pytest.raises(pydantic.ValidationError, match="commands is empty"):
        ShellOperation(commands=[])


def test_shell_run_command_failure_names_exit_code_and_stderr():
    with pytest.raises(RuntimeError, match="exit code 5") as info:
        shell_run_command("echo broken >&2; exit 5")
    assert "broken" in str(info.value)
