"""Output in the run's logs: streamed line by line, or not at all; secrets masked."""

from __future__ import annotations

import logging

import pytest
from headwater import flow
from headwater_shell import ShellCommandError, ShellOperation
from pydantic import SecretStr
from shell_support import flow_run_id, logs_of, messages_of

SECRET = "s3cr3t-t0ken-value"


def test_stream_output_logs_each_line_to_the_run(run_flow):
    @flow
    def pipeline() -> str:
        return ShellOperation(
            commands=["echo hello", "sleep 0.05; echo warning >&2", "sleep 0.05; echo bye"]
        )()

    state = run_flow(pipeline)
    assert state.result() == "hello\nbye"
    entries = [
        e
        for e in logs_of(flow_run_id(state))
        if " stdout: " in e["message"] or " stderr: " in e["message"]
    ]
    assert [e["message"].split(": ", 1)[1] for e in entries] == ["hello", "warning", "bye"]
    assert [e["message"].split()[2] for e in entries] == ["stdout:", "stderr:", "stdout:"]
    assert all(e["run_kind"] == "task" and e["level"] == logging.INFO for e in entries)


def test_stream_output_false_keeps_output_out_of_the_logs(run_flow):
    @flow
    def pipeline() -> str:
        return ShellOperation(commands=["echo quiet-line"], stream_output=False)()

    state = run_flow(pipeline)
    assert state.result() == "quiet-line"
    assert not [m for m in messages_of(flow_run_id(state)) if "quiet-line" in m]


def test_outside_a_run_lines_go_to_the_headwater_shell_logger():
    seen: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    handler = Collect()
    logger = logging.getLogger("headwater.shell")
    logger.addHandler(handler)
    try:
        assert ShellOperation(commands=["echo untracked"]).run() == ["untracked"]
    finally:
        logger.removeHandler(handler)
    assert len(seen) == 1 and seen[0].endswith("stdout: untracked")


@pytest.mark.parametrize(
    "env, secret_env",
    [({"TOKEN": SecretStr(SECRET)}, []), ({"TOKEN": SECRET}, ["TOKEN"])],
    ids=["SecretStr", "secret_env"],
)
def test_secret_env_values_are_masked_in_logs_and_errors(env, secret_env, run_flow):
    @flow
    def pipeline() -> str:
        ok = ShellOperation(
            commands=["echo token=$TOKEN", "echo $TOKEN >&2"], env=env, secret_env=secret_env
        )()
        assert ok == f"token={SECRET}"  # the result itself is the real output
        return ShellOperation(
            commands=['echo "auth failed for $TOKEN" >&2; exit 1'], env=env, secret_env=secret_env
        )()

    state = run_flow(pipeline)
    with pytest.raises(ShellCommandError) as info:
        state.result()
    assert SECRET not in str(info.value)
    assert "auth failed for ********" in str(info.value)
    messages = messages_of(flow_run_id(state))
    assert not [m for m in messages if SECRET in m]
    assert any(m.endswith("stdout: token=********") for m in messages)
    assert any(m.endswith("stderr: ********") for m in messages)


def test_secrets_stay_out_of_the_repr():
    op = ShellOperation(commands=["true"], env={"TOKEN": SECRET}, secret_env=["TOKEN"])
    assert SECRET not in repr(op)
    assert op.secret_env == ["TOKEN"]
    assert isinstance(op.env["TOKEN"], SecretStr)


def test_plain_env_values_are_not_masked():
    op = ShellOperation(commands=["echo $A"], env={"A": "visible", "B": SecretStr("hidden")})
    assert op.secret_env == ["B"] and op.env["A"] == "visible"
    assert op.run() == ["visible"]
