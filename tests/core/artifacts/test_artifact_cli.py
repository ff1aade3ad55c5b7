"""`headwater artifact ls / inspect / delete` through CliRunner, and the real command once."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from headwater.artifacts import (
    Artifact,
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
)
from headwater.cli.main import build_cli
from headwater.history.artifact_store import get_artifact_storage

PREFECT_FIELDS = [
    "id", "created", "updated", "key", "type", "description", "data", "metadata_",
    "flow_run_id", "task_run_id",
]  # fmt: skip


@pytest.fixture
def cli():
    runner = CliRunner()
    root = build_cli()
    return lambda *args, **kw: runner.invoke(root, ["artifact", *args], **kw)


@pytest.fixture
def versions():
    """Three versions of `report`, one `table`, one artifact with no key."""
    ids = [create_markdown_artifact(f"v{i}", key="report") for i in range(3)]
    create_table_artifact([[1, 2]], key="table")
    create_progress_artifact(5)
    return ids


def test_ls_shows_each_keys_latest(cli, versions):
    lines = cli("ls").output.splitlines()
    assert lines[0].split() == ["ID", "KEY", "TYPE", "UPDATED"]
    assert [line.split()[:3] for line in lines[1:]] == [
        [str(versions[-1]), "report", "markdown"],
        [str(Artifact.get("table").id), "table", "table"],
    ]
    every = cli("ls", "--all").output.splitlines()[1:]
    assert [line.split()[1] for line in every] == ["report"] * 3 + ["table", "-"]
    assert len(cli("ls", "--all", "--limit", "2").output.splitlines()) == 3
    rows = json.loads(cli("ls", "-o", "json").output)
    assert [list(r) for r in rows] == [PREFECT_FIELDS, PREFECT_FIELDS]


def test_ls_empty(cli):
    result = cli("ls")
    assert result.exit_code == 0 and "No artifacts" in result.output


def test_inspect_prints_prefects_json(cli, versions):
    latest = json.loads(cli("inspect", "report").output)
    assert [a["data"] for a in latest] == ["v2"] and list(latest[0]) == PREFECT_FIELDS
    assert latest[0]["id"] == str(versions[-1]) and latest[0]["type"] == "markdown"
    every = json.loads(cli("inspect", "report", "--all-versions", "-o", "json").output)
    assert [a["data"] for a in every] == ["v2", "v1", "v0"]
    two = json.loads(cli("inspect", "report", "--all-versions", "--limit", "2").output)
    assert [a["data"] for a in two] == ["v2", "v1"]


def test_inspect_unknown_key_exits_1(cli):
    result = cli("inspect", "nope")
    assert result.exit_code == 1 and "Artifact 'nope' not found" in result.output


def test_delete_key_removes_every_version(cli, versions):
    result = cli("delete", "report")
    assert result.exit_code == 0, result.output
    assert "Deleted 3 artifact(s) with key 'report'." in result.output
    assert get_artifact_storage().versions("report") == []
    assert Artifact.get("table") is not None
    again = cli("delete", "report")
    assert again.exit_code == 1 and "Artifact with key 'report' not found" in again.output


def test_delete_one_by_id(cli, versions):
    result = cli("delete", "--id", str(versions[-1]))
    assert result.exit_code == 0 and f"Deleted artifact with id '{versions[-1]}'." in result.output
    assert Artifact.get("report").id == versions[1]  # the previous version is the latest now
    missing = cli("delete", "--id", str(versions[-1]))
    assert missing.exit_code == 1 and "not found" in missing.output


def test_delete_needs_exactly_one_of_key_or_id(cli, versions):
    assert cli("delete").exit_code == 2
    assert cli("delete", "report", "--id", str(versions[0])).exit_code == 2
    assert len(get_artifact_storage().versions("report")) == 3


def test_delete_at_a_terminal_asks_first(cli, versions, monkeypatch):
    monkeypatch.setattr("headwater.cli.artifacts.interactive", lambda: True)
    declined = cli("delete", "report", input="n\n")
    assert declined.exit_code == 1 and "Delete 3 artifact(s) with key 'report'?" in declined.output
    assert len(get_artifact_storage().versions("report")) == 3
    assert cli("delete", "report", "--yes").exit_code == 0
    assert get_artifact_storage().versions("report") == []


def test_the_headwater_command_reads_artifacts_made_here():
    made = create_table_artifact({"a": [1]}, key="shown")
    exe = os.path.join(os.path.dirname(sys.executable), "headwater")
    done = subprocess.run([exe, "artifact", "inspect", "shown"], capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    [shown] = json.loads(done.stdout)
    assert shown["id"] == str(made) and json.loads(shown["data"]) == {"a": [1]}


def test_unusable_home_is_one_clear_line(cli, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("HEADWATER_HOME", str(blocker))
    result = cli("ls")
    assert result.exit_code == 1 and "cannot be used" in result.output
    assert "Traceback" not in result.output
