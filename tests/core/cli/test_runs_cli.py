"""`headwater version`, `flow-run` and `task-run` over records written straight to the store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from headwater.cli.main import build_cli
from headwater.cli.run_logs import format_log_line
from headwater.history import get_store
from headwater.history.records import FlowRun, LogEntry, StateChange, TaskRun


@pytest.fixture
def cli():
    runner = CliRunner()
    root = build_cli()
    return lambda *args: runner.invoke(root, list(args), catch_exceptions=False)


@pytest.fixture
def history():
    """One completed flow run with two task runs and logs, one failed flow run."""
    store = get_store()
    now = time.time()
    ok = FlowRun(id="aaaa1111-0000-0000-0000-000000000001", name="calm-otter",
                 flow_name="etl", parameters={"n": 3}, created=now - 10)  # fmt: skip
    bad = FlowRun(id="bbbb2222-0000-0000-0000-000000000002", name="wild-fox",
                  flow_name="report", created=now - 5)  # fmt: skip
    store.record_flow_run(ok)
    store.record_flow_run(bad)
    store.record_state(StateChange(ok.id, "flow", "RUNNING", "Running", None, now - 10))
    tasks = []
    for i in range(2):
        tr = TaskRun(id=f"cccc{i}333-0000", name=f"add-{i}", task_key="add",
                     flow_run_id=ok.id, created=now - 9 + i, task_inputs={"x": []})  # fmt: skip
        tasks.append(tr)
        store.record_task_run(tr)
        store.record_state(StateChange(tr.id, "task", "RUNNING", "Running", None, now - 9 + i))
        store.record_log(LogEntry(tr.id, "task", 20, "Finished in state Completed()",
                                  now - 8.5 + i, "headwater.task_runs", tr.name))  # fmt: skip
        store.record_state(StateChange(tr.id, "task", "COMPLETED", "Completed", None, now - 8 + i))
    store.record_log(LogEntry(ok.id, "flow", 20, "Beginning flow run", now - 9.5,
                              "headwater.flow_runs", ok.name))  # fmt: skip
    store.record_log(LogEntry(ok.id, "flow", 30, "Finished in state Completed()", now - 1,
                              "headwater.flow_runs", ok.name))  # fmt: skip
    store.record_state(StateChange(ok.id, "flow", "COMPLETED", "Completed", None, now - 1))
    store.record_state(StateChange(bad.id, "flow", "FAILED", "Failed", "boom", now - 4))
    store.flush()
    return ok, bad, tasks


def test_help_for_every_command_and_option(cli):
    root = build_cli()
    for name, command in root.commands.items():
        assert command.help, name
        result = cli(name, "--help")
        assert result.exit_code == 0
        for sub_name, sub in getattr(command, "commands", {}).items():
            assert sub.help, sub_name
            for param in sub.params:
                if param.param_type_name == "option":
                    assert param.help, (name, sub_name, param.name)
            assert cli(name, sub_name, "--help").exit_code == 0


def test_version(cli, headwater_home):
    result = cli("version")
    assert result.exit_code == 0
    assert "Version:" in result.output and str(headwater_home) in result.output
    assert "SQLite version:" in result.output and "Python version:" in result.output


def test_flow_run_ls_table_and_filters(cli, history):
    ok, bad, _ = history
    result = cli("flow-run", "ls")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["ID", "NAME", "FLOW", "STATE", "START", "DURATION"]
    assert lines[1].startswith(bad.id[-8:]) and "wild-fox" in lines[1]  # newest first
    assert "calm-otter" in lines[2] and "Completed" in lines[2] and "9.00s" in lines[2]
    only_failed = cli("flow-run", "ls", "--state", "failed").output
    assert "wild-fox" in only_failed and "calm-otter" not in only_failed
    assert "calm-otter" in cli("flow-run", "ls", "--flow-name", "etl").output
    assert len(cli("flow-run", "ls", "--limit", "1").output.splitlines()) == 2


def test_flow_run_ls_json(cli, history):
    ok, _, _ = history
    data = json.loads(cli("flow-run", "ls", "-o", "json").output)
    assert {r["id"] for r in data} == {ok.id, history[1].id}
    assert next(r for r in data if r["id"] == ok.id)["parameters"] == {"n": 3}


def test_flow_run_inspect(cli, history):
    ok, _, _ = history
    result = cli("flow-run", "inspect", ok.id[:6])
    assert result.exit_code == 0, result.output
    assert ok.id in result.output and "task_runs:" in result.output
    assert "State history:" in result.output and "Completed" in result.output
    data = json.loads(cli("flow-run", "inspect", ok.id, "-o", "json").output)
    assert data["task_run_count"] == 2
    assert [s["type"] for s in data["states"]] == ["RUNNING", "COMPLETED"]


def test_flow_run_logs(cli, history):
    ok, _, _ = history
    lines = cli("flow-run", "logs", ok.id).output.splitlines()
    assert len(lines) == 4
    assert lines[0].endswith("| INFO    | Flow run 'calm-otter' - Beginning flow run")
    assert "| INFO    | Task run 'add-0' - Finished in state Completed()" in lines[1]
    assert "| WARNING | Flow run 'calm-otter'" in lines[3]
    assert cli("flow-run", "logs", ok.id, "--head", "1").output.splitlines() == lines[:1]
    assert cli("flow-run", "logs", ok.id, "--tail", "2").output.splitlines() == lines[-2:]
    assert cli("flow-run", "logs", ok.id, "--tail", "-n", "1").output.splitlines() == lines[-1:]
    assert cli("flow-run", "logs", ok.id, "--num-logs", "3").output.splitlines() == lines[:3]
    assert cli("flow-run", "logs", ok.id, "--reverse").output.splitlines() == lines[::-1]
    assert len(cli("flow-run", "logs", ok.id, "--no-task-runs").output.splitlines()) == 2


def test_log_line_format():
    entry = {"timestamp": time.mktime((2026, 1, 2, 12, 0, 1, 0, 0, -1)) + 0.123,
             "level": 20, "run_id": "x", "run_kind": "task", "run_name": "add-3f2",
             "message": "Finished in state Completed()"}  # fmt: skip
    assert format_log_line(entry) == (
        "12:00:01.123 | INFO    | Task run 'add-3f2' - Finished in state Completed()"
    )


def test_task_run_ls_and_inspect(cli, history):
    ok, _, tasks = history
    result = cli("task-run", "ls", "--flow-run", ok.id[:8])
    assert result.exit_code == 0, result.output
    assert "add-0" in result.output and "add-1" in result.output
    data = json.loads(
        cli("task-run", "ls", "--flow-run", ok.id, "--state", "COMPLETED", "-o", "json").output
    )
    assert len(data) == 2
    assert (
        cli("task-run", "ls", "--flow-run", ok.id, "--state", "failed").output.strip()
        == "No task runs found."
    )
    shown = cli("task-run", "inspect", tasks[0].id)
    assert shown.exit_code == 0 and "add-0" in shown.output and "State history:" in shown.output
    data = json.loads(cli("task-run", "inspect", tasks[1].id, "-o", "json").output)
    assert data["flow_run_id"] == ok.id and len(data["states"]) == 2


def test_task_run_logs(cli, history):
    _, _, tasks = history
    lines = cli("task-run", "logs", tasks[1].id).output.splitlines()
    assert len(lines) == 1
    assert lines[0].endswith("| INFO    | Task run 'add-1' - Finished in state Completed()")
    assert cli("task-run", "logs", tasks[1].id[:5], "--reverse").output.splitlines() == lines


@pytest.mark.parametrize(
    "args, hint",
    [
        (["task-run", "logs", "nope123"], "headwater task-run ls"),
        (["flow-run", "inspect", "nope123"], "headwater flow-run ls"),
        (["flow-run", "logs", "nope123"], "headwater flow-run ls"),
        (["task-run", "inspect", "nope123"], "headwater task-run ls"),
        (["task-run", "ls", "--flow-run", "nope123"], "headwater flow-run ls"),
    ],
)
def test_unknown_id_is_a_clear_error(args, hint):
    result = CliRunner().invoke(build_cli(), args)
    assert result.exit_code == 1
    assert "nope123" in result.output and hint in result.output
    assert "Traceback" not in result.output


def test_bad_home_is_a_clear_error(tmp_path, monkeypatch):
    from headwater.history import reset_store

    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("HEADWATER_HOME", str(blocker / "home"))
    reset_store()
    result = CliRunner().invoke(build_cli(), ["flow-run", "ls"])
    assert result.exit_code == 1 and "HEADWATER_HOME" in result.output


def test_plugin_failure_does_not_break_cli(monkeypatch):
    def broken():
        raise RuntimeError("plugin exploded")

    monkeypatch.setattr("headwater.cli.plugin_commands.cli_commands", broken)
    with pytest.warns(UserWarning, match="plugin exploded"):
        root = build_cli()
    assert "flow-run" in root.commands


def test_console_script_help(headwater_home):
    exe = os.path.join(os.path.dirname(sys.executable), "headwater")
    result = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    for name in ("version", "flow-run", "task-run"):
        assert name in result.stdout
