"""Variables are shared by every process on the home: real subprocesses, one HEADWATER_HOME."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from headwater.variables import Variable


def python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_a_value_set_here_is_read_there_and_back():
    Variable.set("shared", {"from": "parent"})
    done = python(
        """
        from headwater.variables import Variable
        print(Variable.get("shared")["from"])
        Variable.set("shared", {"from": "child"}, overwrite=True)
        Variable.set("child_only", [1, 2], tags=["child"])
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "parent"
    assert Variable.get("shared") == {"from": "child"}  # no cache: the parent sees it at once
    assert Variable.get("child_only") == [1, 2]


WRITER = """
import sys
from headwater.variables import Variable
me = sys.argv[1]
created = 0
try:
    Variable.set("first_wins", me)
    created = 1
except ValueError as exc:
    assert "already exists" in str(exc), exc
for i in range(30):
    Variable.set("counter", {"writer": me, "i": i}, overwrite=True)
print(created)
"""


def test_concurrent_writers_one_creates_last_writer_wins():
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(n)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for n in range(4)
    ]  # fmt: skip
    outputs = [p.communicate(timeout=180) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outputs]
    created = [int(out.strip()) for out, _ in outputs]
    assert sum(created) == 1  # exactly one process created it; the rest were told it exists
    winner = created.index(1)
    assert Variable.get("first_wins") == str(winner)
    final = Variable.get("counter")
    assert final["i"] == 29 and final["writer"] in {"0", "1", "2", "3"}


def test_the_headwater_command_sees_python_writes_and_back():
    Variable.set("from_python", {"k": [1, 2]})
    exe = os.path.join(os.path.dirname(sys.executable), "headwater")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([exe, "variable", *args], capture_output=True, text=True,
                              timeout=120)  # fmt: skip

    got = run("get", "from_python")
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout) == {"k": [1, 2]}
    assert run("set", "from_shell", "[1, 2.5]", "--tag", "cli").returncode == 0
    assert Variable.get("from_shell") == [1, 2.5]
    missing = run("get", "no_such_var")
    assert missing.returncode == 1
    assert "Variable 'no_such_var' not found" in missing.stderr
