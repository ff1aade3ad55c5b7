"""The seed's shell examples, run as users run them: `python examples/<name>.py`.

`examples/advanced_shell.py` is the seed's code as written, so it builds in
`/path/to/project`. Tests must not write outside their tmp folder, so this
test copies `examples/shell_project/` (a Makefile with a `build` target and
the three pipeline scripts) into tmp, writes a copy of the example with that
one literal path replaced, and runs it from the project folder (its pipeline
commands run in the current directory).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from e2e_support import EXAMPLES, LINE, REPO, state_type

pytestmark = pytest.mark.e2e

pytest.importorskip("headwater_shell")


def _run(script: Path, cwd: Path) -> str:
    env = os.environ.copy()
    # `python ...` in the example's commands is this interpreter
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    proc = subprocess.run(
        [sys.executable, str(script)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, f"exit {proc.returncode}:\n{proc.stdout}"
    return proc.stdout


def _lines_of(output: str, wanted: str) -> int:
    """The index of the first output line containing `wanted`."""
    return next(i for i, line in enumerate(output.splitlines()) if wanted in line)


@pytest.mark.parametrize("where", ["repository root", "another folder"])
def test_shell_workflow(where: str, tmp_path: Path, store):
    """`python examples/shell_workflow.py` from the repository root, as the README has
    users run it, and from elsewhere: it counts the `example.txt` beside it."""
    cwd = REPO if where == "repository root" else tmp_path
    output = _run(EXAMPLES / "shell_workflow.py", cwd)

    example = os.path.relpath(EXAMPLES / "example.txt", cwd)
    lines = len((EXAMPLES / "example.txt").read_text().splitlines())
    assert "Echo output: Hello from Prefect!" in output
    assert f"File {example} has {lines} lines" in output
    assert "Environment variable: Prefect is awesome!" in output
    assert re.search(r"^System information:\n.+\n" + re.escape(str(cwd)) + r"\n", output, re.M)
    # each line was streamed to the log as it came
    assert re.search(LINE + r"Task run '.+' - PID \d+ stdout: Hello from Prefect!$", output, re.M)
    # and what the flow printed comes after the log lines of the step it printed about
    begin = _lines_of(output, "Beginning flow run")
    echoed = _lines_of(output, "stdout: Hello from Prefect!")
    assert begin < echoed < _lines_of(output, "Echo output: Hello from Prefect!"), output
    assert _lines_of(output, f"stdout: {lines} {example}") < _lines_of(output, f"File {example}")
    (run,) = store.read_flow_runs(flow_name="shell-workflow")
    assert state_type(run) == "COMPLETED"
    tasks = store.read_task_runs(flow_run_id=run["id"])
    assert len(tasks) == 4 and all(state_type(t) == "COMPLETED" for t in tasks)


def _advanced(tmp_path: Path) -> tuple[Path, Path]:
    project = tmp_path / "project"
    shutil.copytree(EXAMPLES / "shell_project", project)
    source = (EXAMPLES / "advanced_shell.py").read_text()
    assert source.count('"/path/to/project"') == 1
    script = tmp_path / "advanced_shell.py"
    script.write_text(source.replace('"/path/to/project"', repr(str(project))))
    return project, script


def test_advanced_shell(tmp_path: Path, store):
    project, script = _advanced(tmp_path)
    output = _run(script, project)

    # make's stderr line was streamed too (return_all=True also puts it in the result)
    assert re.search(r"PID \d+ stderr: make: build finished$", output, re.M)
    assert "processed 10 rows, total 385" in output
    assert "summary is valid" in output
    assert (project / "build" / "uploaded" / "summary.json").exists()
    (run,) = store.read_flow_runs(flow_name="advanced-shell-workflow")
    assert state_type(run) == "COMPLETED"
    result_lines = [t["name"] for t in store.read_task_runs(flow_run_id=run["id"])]
    assert len(result_lines) == 2


def test_advanced_shell_stops_on_first_error(tmp_path: Path, store):
    project, script = _advanced(tmp_path)
    (project / "validate.py").write_text("import sys\nsys.exit('bad data')\n")
    env = os.environ.copy()
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    proc = subprocess.run(
        [sys.executable, str(script)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode != 0
    assert "'python validate.py' failed with exit code 1" in proc.stderr
    assert "bad data" in proc.stderr
    assert not (project / "build" / "uploaded").exists()  # upload.py never ran
