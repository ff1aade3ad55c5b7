"""create_*_artifact: what each stores, versions by key, and bad input with the fix."""

from __future__ import annotations

import json
import logging
import math
import uuid

import pytest
from headwater.artifacts import (
    Artifact,
    ArtifactResponse,
    MarkdownArtifact,
    TableArtifact,
    create_image_artifact,
    create_link_artifact,
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from headwater.history.artifact_store import get_artifact_storage


def stored(artifact_id: uuid.UUID) -> dict:
    row = get_artifact_storage().read(str(artifact_id))
    assert row is not None
    return row


def test_markdown():
    new_id = create_markdown_artifact("# Title\n*done*", key="report", description="nightly")
    assert isinstance(new_id, uuid.UUID)
    row = stored(new_id)
    assert (row["type"], row["data"], row["key"], row["description"]) == (
        "markdown", "# Title\n*done*", "report", "nightly",
    )  # fmt: skip
    assert row["flow_run_id"] is None and row["task_run_id"] is None  # outside any run


def test_link_is_stored_as_prefect_stores_it():
    assert (
        stored(create_link_artifact("https://a.io/x", "the x"))["data"] == "[the x](https://a.io/x)"
    )
    row = stored(create_link_artifact("https://a.io/y", key="link"))
    assert (row["type"], row["data"]) == ("markdown", "[https://a.io/y](https://a.io/y)")


def test_image_and_progress():
    image = stored(create_image_artifact("https://a.io/p.png", key="chart"))
    assert (image["type"], image["data"]) == ("image", "https://a.io/p.png")
    progress = stored(create_progress_artifact(12.5, key="load"))
    assert (progress["type"], progress["data"]) == ("progress", 12.5)


@pytest.mark.parametrize(
    "table",
    [
        {"name": ["a", "b"], "n": [1, 2]},
        [{"name": "a", "n": 1}, {"name": "b"}],  # row dicts: a missing key is an empty cell
        [["a", 1], ["b", 2]],
        [("a", 1), ("b", 2)],
        [],
    ],
)
def test_tables_are_stored_as_json_text(table):
    row = stored(create_table_artifact(table, key="table"))
    assert row["type"] == "table"
    assert json.loads(row["data"]) == json.loads(json.dumps(table))


def test_nan_and_infinity_become_null_so_the_json_stays_valid():
    table = {"x": [1.0, math.nan, math.inf], "y": [-math.inf, 2.0, None]}
    data = stored(create_table_artifact(table))["data"]
    assert json.loads(data) == {"x": [1.0, None, None], "y": [None, 2.0, None]}
    assert "NaN" not in data and "Infinity" not in data
    rows = stored(create_table_artifact([{"a": math.nan}, {"a": [math.nan]}]))["data"]
    assert json.loads(rows) == [{"a": None}, {"a": [None]}]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"a": [1, 2, 3], "b": [1, 2]},
         "column 'a' has 3 values, column 'b' has 2); give every column the same number"),
        ([[1, 2], [3], [4, 5]], "row 0 has 2 cells, row 1 has 1); give every row the same"),
        ([[1], {"a": 1}], "rows must all be dicts or all be lists, got dict, list"),
        ({"a": 1}, "column 'a' is a int, not a list"),
        ("a,b\n1,2", "the table is a str; give a dict of columns"),
        ([[object()]], "a cell cannot be stored as JSON (Object of type object"),
    ],
)  # fmt: skip
def test_bad_tables_are_rejected_naming_the_problem(table, message):
    with pytest.raises(ValueError) as err:
        create_table_artifact(table, key="bad-table")
    assert str(err.value).startswith("table artifact 'bad-table': ")
    assert message in str(err.value)
    assert get_artifact_storage().latest("bad-table") is None


@pytest.mark.parametrize(
    ("key", "suggestion"), [("My Report", "my-report"), ("a_b", "a-b"), ("", "my-artifact")]
)
def test_bad_keys_are_rejected_with_a_valid_suggestion(key, suggestion):
    with pytest.raises(ValueError) as err:
        create_markdown_artifact("x", key=key)
    assert f"Artifact key {key!r} is not valid" in str(err.value)
    assert repr(suggestion) in str(err.value)
    create_markdown_artifact("x", key=suggestion)


def test_versions_by_key_latest_is_newest():
    ids = [create_markdown_artifact(f"v{i}", key="doc") for i in range(3)]
    create_markdown_artifact("other", key="zzz")
    storage = get_artifact_storage()
    assert [r["data"] for r in storage.versions("doc")] == ["v2", "v1", "v0"]
    assert Artifact.get("doc").id == ids[-1]
    latest = storage.list()
    assert [(r["key"], r["data"]) for r in latest] == [("doc", "v2"), ("zzz", "other")]
    assert len(storage.list(latest_only=False)) == 4


def test_update_progress():
    pid = create_progress_artifact(0.0, key="job", description="starting")
    assert update_progress_artifact(pid, 40) == pid
    assert (stored(pid)["data"], stored(pid)["description"]) == (40.0, "starting")
    update_progress_artifact(pid, 80, description="nearly")
    row = stored(pid)
    assert (row["data"], row["description"], row["key"]) == (80.0, "nearly", "job")
    assert row["updated"] > row["created"]
    assert len(get_artifact_storage().versions("job")) == 1  # updated in place


def test_progress_outside_0_to_100_is_clamped_with_a_warning_as_in_prefect(caplog):
    with caplog.at_level(logging.WARNING, logger="headwater.artifacts"):
        pid = create_progress_artifact(120, key="over")
        update_progress_artifact(pid, -5)
    assert stored(pid)["data"] == 0.0
    messages = [r.getMessage() for r in caplog.records]
    assert (
        "progress artifact 'over': progress 120.0% is outside 0 to 100; recorded as 100.0%"
        in messages[0]
    )
    assert "progress -5.0% is outside 0 to 100; recorded as 0.0%" in messages[1]


def test_progress_nan_is_rejected():
    with pytest.raises(
        ValueError, match=r"progress artifact 'p': progress is NaN; pass a percentage"
    ):
        create_progress_artifact(math.nan, key="p")


def test_update_unknown_or_wrong_kind_names_the_id():
    missing = uuid.uuid4()
    with pytest.raises(
        ValueError,
        match=rf"No artifact has the id '{missing}': pass the id that create_progress_artifact returned",
    ):
        update_progress_artifact(missing, 10)
    md = create_markdown_artifact("x")
    with pytest.raises(
        ValueError, match=rf"Artifact '{md}' is a 'markdown' artifact, not a progress artifact"
    ):
        update_progress_artifact(md, 10)
    assert stored(md)["data"] == "x"


def test_artifact_classes():
    assert Artifact.get("nothing") is None
    made = MarkdownArtifact(key="cls", markdown="**bold**", description="d").create()
    assert (
        isinstance(made, ArtifactResponse) and made.type == "markdown" and made.data == "**bold**"
    )
    assert TableArtifact(table=[[1]]).format() == "[[1]]"
    plain = Artifact(key="raw", type="result", data={"a": 1}).create()
    assert plain.data == '{"a": 1}'  # Prefect's plain Artifact stores its data as JSON text
    assert Artifact.get().id == plain.id  # no key: the most recently updated artifact
    found, created = Artifact.get_or_create(key="cls", data="ignored")
    assert (found.id, created) == (made.id, False)
    new, created = Artifact.get_or_create(key="fresh", description="x", data=[1], type="result")
    assert created and Artifact.get("fresh").id == new.id
    with pytest.raises(ValueError, match="Artifact key 'Bad' is not valid"):
        MarkdownArtifact(key="Bad", markdown="x")


def test_prefects_names_are_at_prefects_path():
    import headwater.artifacts as artifacts

    names = [
        "Artifact", "MarkdownArtifact", "TableArtifact", "LinkArtifact", "ProgressArtifact",
        "ImageArtifact", "create_markdown_artifact", "acreate_markdown_artifact",
        "create_table_artifact", "acreate_table_artifact", "create_link_artifact",
        "acreate_link_artifact", "create_progress_artifact", "acreate_progress_artifact",
        "update_progress_artifact", "aupdate_progress_artifact", "create_image_artifact",
        "acreate_image_artifact",
    ]  # fmt: skip
    assert [n for n in names if not hasattr(artifacts, n)] == []
    assert sorted(artifacts.__all__) == sorted([*names, "ArtifactResponse"])
