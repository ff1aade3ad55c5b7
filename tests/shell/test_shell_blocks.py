"""ShellOperation is a block (saved and loaded by name, secrets encrypted) and a plugin."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from headwater.blocks.core import Block
from headwater.blocks.documents import get_block_storage
from headwater_shell import ShellOperation
from pydantic import SecretStr

SECRET = "block-secret-value-123"


def test_save_and_load_round_trip(tmp_path: Path):
    op = ShellOperation(
        commands=["echo $GREETING $TOKEN", "pwd"],
        env={"GREETING": "hello", "TOKEN": SecretStr(SECRET)},
        working_dir=tmp_path,
        shell="sh",
        return_all=True,
        continue_on_error=True,
        stream_output=False,
    )
    op.save("nightly-build")

    loaded = ShellOperation.load("nightly-build")
    assert loaded.commands == op.commands
    assert loaded.working_dir == tmp_path
    assert (loaded.shell, loaded.return_all, loaded.continue_on_error, loaded.stream_output) == (
        "sh",
        True,
        True,
        False,
    )
    assert loaded.env["GREETING"] == "hello"
    assert isinstance(loaded.env["TOKEN"], SecretStr)  # still masked after the load
    assert loaded.env["TOKEN"].get_secret_value() == SECRET
    assert loaded.secret_env == ["TOKEN"]
    assert loaded.run() == [f"hello {SECRET}", str(tmp_path)]

    by_slug = Block.load("shell-operation/nightly-build")
    assert isinstance(by_slug, ShellOperation) and by_slug.commands == op.commands


def test_secret_env_is_encrypted_at_rest():
    ShellOperation(commands=["true"], env={"TOKEN": SECRET}, secret_env=["TOKEN"]).save("s")
    doc = get_block_storage().read_document("shell-operation", "s")
    assert doc is not None
    assert SECRET not in json.dumps(doc.data)


def test_save_needs_overwrite_to_replace():
    ShellOperation(commands=["echo 1"]).save("dup")
    with pytest.raises(Exception, match="overwrite"):
        ShellOperation(commands=["echo 2"]).save("dup")
    ShellOperation(commands=["echo 2"]).save("dup", overwrite=True)
    assert ShellOperation.load("dup").run() == ["2"]
    ShellOperation.delete("dup")


def test_registered_as_operation_and_block_type():
    from headwater.blocks.registry import block_types, operations

    assert operations()["shell-operation"] is ShellOperation
    assert block_types()["shell-operation"] is ShellOperation


def test_headwater_plugins_lists_the_shell_plugin():
    proc = subprocess.run(
        [sys.executable, "-c", "from headwater.cli.main import main; main()", "plugins"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("shell "))
    assert "active" in line and "operations: shell-operation" in line
