"""Variable.set / get / unset: JSON values, tags, overwrite, Prefect's name and size rules."""

from __future__ import annotations

import datetime
import time

import pytest
from headwater.history.variable_store import get_variable_storage
from headwater.variables import MAX_VARIABLE_VALUE_LENGTH, Variable


@pytest.mark.parametrize(
    "value",
    ["text", "", 42, -1.5, True, False, None, [1, "a", None], {"a": {"b": [1, 2]}}, "héllo ✓"],
)
def test_every_json_value_round_trips(value):
    returned = Variable.set("my_var", value)
    assert returned.name == "my_var" and returned.value == value and returned.tags == []
    assert Variable.get("my_var") == value


def test_tuple_is_stored_as_a_list():
    assert Variable.set("pair", (1, 2)).value == [1, 2]
    assert Variable.get("pair") == [1, 2]


def test_get_missing_returns_default():
    assert Variable.get("nothing_here") is None
    assert Variable.get("nothing_here", default=["a"]) == ["a"]
    Variable.set("stored_null", None)
    assert Variable.get("stored_null", default="fallback") is None  # exists: its value wins


def test_existing_name_needs_overwrite():
    Variable.set("answer", 1, tags=["a"])
    with pytest.raises(
        ValueError, match=r"Variable 'answer' already exists\. Use `overwrite=True`"
    ):
        Variable.set("answer", 2)
    assert Variable.get("answer") == 1
    updated = Variable.set("answer", 2, tags=["b", "c"], overwrite=True)
    assert (updated.value, updated.tags) == (2, ["b", "c"])
    assert Variable.get("answer") == 2


def test_overwrite_keeps_created_and_moves_updated():
    Variable.set("clock", 1)
    first = get_variable_storage().read("clock")
    time.sleep(0.01)
    Variable.set("clock", 2, overwrite=True)
    second = get_variable_storage().read("clock")
    assert second["id"] == first["id"] and second["created"] == first["created"]
    assert second["updated"] > first["updated"]


def test_overwrite_without_tags_clears_them():
    Variable.set("tagged", 1, tags=["x"])
    assert Variable.set("tagged", 2, overwrite=True).tags == []
    assert get_variable_storage().read("tagged")["tags"] == []


def test_unset():
    Variable.set("gone", "soon")
    assert Variable.unset("gone") is True
    assert Variable.get("gone") is None
    assert Variable.unset("gone") is False


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [("My Var", "my_var"), ("a.b", "a_b"), ("ÄÖ", "my_variable"), ("", "my_variable")],
)
def test_invalid_names_are_rejected_with_a_valid_suggestion(name, suggestion):
    with pytest.raises(ValueError) as err:
        Variable.set(name, 1)
    message = str(err.value)
    assert repr(name) in message and "lowercase letters, numbers, dashes and underscores" in message
    assert repr(suggestion) in message
    Variable.set(suggestion, 1)  # the suggestion itself is accepted


def test_name_rules_follow_prefect():
    for name in ("a", "a-b_c9", "x" * 255):
        Variable.set(name, 1)
    with pytest.raises(ValueError, match="is 256 characters long; use at most 255"):
        Variable.set("x" * 256, 1)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (datetime.date(2024, 1, 1), "Object of type date is not JSON serializable"),
        (float("nan"), "Out of range float"),
        ({"s": {1, 2}}, "Object of type set is not JSON serializable"),
        (object(), "Object of type object"),
    ],
)
def test_values_that_are_not_json_are_rejected(value, problem):
    with pytest.raises(ValueError) as err:
        Variable.set("bad_value", value)
    message = str(err.value)
    assert "Variable 'bad_value'" in message and problem in message
    assert "Use a str, int, float, bool, None, or a list or dict of those" in message
    assert Variable.get("bad_value", default="absent") == "absent"


def test_value_size_limit_is_prefects():
    fits = "x" * (MAX_VARIABLE_VALUE_LENGTH - 2)  # plus two quotes: exactly the limit
    Variable.set("big", fits)
    with pytest.raises(ValueError, match=r"Variable 'big2': the value is 5001 characters as JSON"):
        Variable.set("big2", fits + "x")
    # counted in UTF-8 bytes, as Prefect's orjson check does
    with pytest.raises(ValueError, match="5002 characters"):
        Variable.set("big3", "é" * 2500)


def test_tags_must_be_strings():
    with pytest.raises(ValueError, match=r"tags must be a list of strings, got 'prod'"):
        Variable.set("t", 1, tags="prod")  # type: ignore[arg-type]


def test_model_validates_names_too():
    with pytest.raises(ValueError, match="is not valid"):
        Variable(name="Bad Name", value=1)
    assert Variable[int](name="ok", value=3).value == 3


def test_generic_alias_reads_the_same_value():
    Variable.set("typed", 7)
    assert Variable[int].get("typed") == 7
