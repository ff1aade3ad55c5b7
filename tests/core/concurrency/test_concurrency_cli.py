"""`headwater gcl ...` / `global-concurrency-limit ...` and `headwater concurrency-limit ...`."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from headwater.cli.main import build_cli
from headwater.concurrency import read_global_concurrency_limit
from headwater.concurrency.sync import concurrency


@pytest.fixture
def cli():
    runner = CliRunner()
    root = build_cli()
    return lambda *args: runner.invoke(root, list(args))


def test_gcl_create_ls_inspect_update_enable_disable_delete(cli):
    done = cli("gcl", "create", "db", "--limit", "2", "--slot-decay-per-second", "0.5")
    assert done.exit_code == 0, done.output
    assert "Created global concurrency limit with name 'db'" in done.output
    done = cli("global-concurrency-limit", "ls")
    assert done.exit_code == 0
    assert done.output.split("\n")[1].split()[:4] == ["db", "2", "0", "0.5"]
    with concurrency("db", holder={"type": "flow_run", "id": "run-1"}):
        shown = json.loads(cli("gcl", "inspect", "db", "-o", "json").output)
        assert shown["active_slots"] == 1
        assert shown["holders"][0]["holder"] == {"type": "flow_run", "id": "run-1"}
        assert "flow_run run-1: 1 slot(s)" in cli("gcl", "inspect", "db").output
    assert cli("gcl", "update", "db", "--limit", "5", "--disable").exit_code == 0
    limit = read_global_concurrency_limit("db")
    assert (limit.limit, limit.active) == (5, False)
    assert cli("gcl", "enable", "db").output == "Enabled global concurrency limit with name 'db'.\n"
    assert cli("gcl", "enable", "db").exit_code == 1  # already enabled: says so
    assert cli("gcl", "disable", "db").exit_code == 0
    assert not read_global_concurrency_limit("db").active
    assert cli("gcl", "delete", "db").exit_code == 0
    assert "No global concurrency limits found" in cli("gcl", "ls").output


def test_gcl_create_disabled_and_with_active_slots(cli):
    assert cli("gcl", "create", "off", "-l", "3", "--disable", "--active-slots", "1").exit_code == 0
    limit = read_global_concurrency_limit("off")
    assert (limit.active, limit.active_slots) == (False, 1)


@pytest.mark.parametrize(
    "args, message",
    [
        (("gcl", "create", "db", "--limit", "-1"), "limit must be >= 0, got -1"),
        (("gcl", "inspect", "nope"), "no concurrency limit is named 'nope'"),
        (("gcl", "delete", "nope"), "headwater gcl create nope --limit N"),
        (("gcl", "update", "nope", "--limit", "3"), "no concurrency limit is named 'nope'"),
        (("gcl", "enable", "nope"), "no concurrency limit is named 'nope'"),
        (("gcl", "create", "a/b", "--limit", "1"), "contains one of"),
        (("gcl", "create", "db", "--limit", "1", "--slot-decay-per-second", "-2"), ">= 0"),
        (("concurrency-limit", "create", "db", "-1"), "concurrency_limit must be >= 0, got -1"),
        (("concurrency-limit", "inspect", "nope"), "no concurrency limit is set on the tag 'nope'"),
        (("concurrency-limit", "reset", "nope"), "concurrency-limit create nope N"),
        (("concurrency-limit", "delete", "nope"), "no concurrency limit is set on the tag 'nope'"),
    ],
)
def test_bad_input_exits_1_naming_the_thing_and_the_fix(cli, args, message):
    done = cli(*args)
    assert done.exit_code == 1, done.output
    assert message in done.output


def test_gcl_create_twice_says_how_to_change_it(cli):
    cli("gcl", "create", "db", "-l", "1")
    done = cli("gcl", "create", "db", "-l", "2")
    assert done.exit_code == 1
    assert "already exists" in done.output and "headwater gcl update db" in done.output


def test_gcl_update_without_changes_is_a_usage_error(cli):
    cli("gcl", "create", "db", "-l", "1")
    done = cli("gcl", "update", "db")
    assert done.exit_code != 0 and "No update arguments provided" in done.output


def test_concurrency_limit_create_ls_inspect_reset_delete(cli):
    done = cli("concurrency-limit", "create", "db", "3")
    assert done.exit_code == 0 and "concurrency_limit - 3" in done.output
    with concurrency("tag:db", holder={"type": "task_run", "id": "tr-9"}):
        rows = cli("concurrency-limit", "ls").output.splitlines()
        assert rows[1].split()[0] == "db" and rows[1].split()[2:] == ["3", "1"]
        assert "task_run tr-9" in cli("concurrency-limit", "inspect", "db").output
        assert cli("concurrency-limit", "reset", "db").exit_code == 0
        assert read_global_concurrency_limit("tag:db").active_slots == 0
    # tag limits are global limits named tag:<tag>, as in Prefect
    assert "tag:db" in cli("gcl", "ls").output
    assert cli("concurrency-limit", "create", "db", "5").exit_code == 0  # replaces
    assert read_global_concurrency_limit("tag:db").limit == 5
    assert cli("concurrency-limit", "delete", "db").exit_code == 0
    assert "No concurrency limits found" in cli("concurrency-limit", "ls").output
