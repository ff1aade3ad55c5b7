"""`headwater variable set / get / ls / inspect / unset` through click's CliRunner."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from headwater.cli.main import build_cli
from headwater.variables import Variable


@pytest.fixture
def cli():
    runner = CliRunner()
    root = build_cli()
    return lambda *args, **kw: runner.invoke(root, ["variable", *args], **kw)


@pytest.mark.parametrize(
    ("text", "stored"),
    [("42", 42), ("4.5", 4.5), ("true", True), ("null", None), ('"quoted"', "quoted"),
     ('{"a": [1, 2]}', {"a": [1, 2]}), ("hello world", "hello world"), ("{not json", "{not json")],
)  # fmt: skip
def test_set_parses_json_else_keeps_the_string(cli, text, stored):
    result = cli("set", "v", text)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Set variable 'v'."
    assert Variable.get("v", default="absent") == stored


def test_set_existing_needs_overwrite(cli):
    cli("set", "answer", "1")
    refused = cli("set", "answer", "2")
    assert refused.exit_code == 1
    assert "Variable 'answer' already exists. Use `--overwrite` to update it." in refused.output
    assert cli("set", "answer", "2", "--overwrite", "--tag", "a", "--tag", "b").exit_code == 0
    assert Variable.get("answer") == 2


def test_set_rejects_bad_names_and_big_values(cli):
    bad = cli("set", "Bad Name", "1")
    assert bad.exit_code == 1 and "Variable name 'Bad Name' is not valid" in bad.output
    big = cli("set", "big", "x" * 6000)
    assert big.exit_code == 1 and "more than the limit of 5000" in big.output


def test_get_prints_json(cli):
    Variable.set("cfg", {"b": "é", "a": [1]})
    result = cli("get", "cfg")
    assert result.exit_code == 0 and json.loads(result.output) == {"b": "é", "a": [1]}
    Variable.set("word", "plain")
    assert cli("get", "word").output.strip() == '"plain"'


@pytest.mark.parametrize("command", ["get", "inspect", "unset", "delete"])
def test_unknown_name_exits_1_naming_it(cli, command):
    result = cli(command, "no_such_var")
    assert result.exit_code == 1
    assert "Variable 'no_such_var' not found" in result.output


def test_ls(cli):
    assert "No variables" in cli("ls").output
    for i in range(3):
        Variable.set(f"v{i}", "x" * (60 if i == 2 else 3), tags=["t"] if i else None)
    table = cli("ls").output.splitlines()
    assert table[0].split() == ["NAME", "VALUE", "TAGS", "CREATED", "UPDATED"]
    assert [line.split()[0] for line in table[1:]] == ["v0", "v1", "v2"]
    assert '"xxx"' in table[1] and "..." in table[3]  # long values are cut
    assert len(cli("ls", "--limit", "2").output.splitlines()) == 3
    rows = json.loads(cli("ls", "-o", "json").output)
    assert [(r["name"], r["tags"]) for r in rows] == [("v0", []), ("v1", ["t"]), ("v2", ["t"])]
    assert set(rows[0]) == {"id", "name", "value", "tags", "created", "updated"}


def test_inspect(cli):
    Variable.set("cfg", [1, 2], tags=["prod"])
    text = cli("inspect", "cfg").output
    assert "name:    cfg" in text and "value:   [1, 2]" in text and 'tags:    ["prod"]' in text
    shown = json.loads(cli("inspect", "cfg", "--output", "json").output)
    assert (shown["name"], shown["value"], shown["tags"]) == ("cfg", [1, 2], ["prod"])
    assert shown["created"].endswith("+00:00")


def test_unset_in_a_script_does_not_ask(cli):
    Variable.set("gone", 1)
    result = cli("unset", "gone")
    assert result.exit_code == 0 and result.output.strip() == "Unset variable 'gone'."
    assert Variable.get("gone") is None


def test_unset_at_a_terminal_asks_first(cli, monkeypatch):
    monkeypatch.setattr("headwater.cli.variables.interactive", lambda: True)
    Variable.set("keep", 1)
    declined = cli("unset", "keep", input="n\n")
    assert declined.exit_code == 1 and "Are you sure" in declined.output
    assert Variable.get("keep") == 1
    assert cli("unset", "keep", input="y\n").exit_code == 0
    Variable.set("keep", 1)
    assert cli("delete", "keep", "--yes").exit_code == 0  # --yes: no question
    assert Variable.get("keep") is None


def test_unusable_home_is_one_clear_line(cli, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("HEADWATER_HOME", str(blocker))
    result = cli("set", "a", "1")
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: HEADWATER_HOME={blocker} cannot be used: ")
    assert "set HEADWATER_HOME to a writable directory" in result.output
