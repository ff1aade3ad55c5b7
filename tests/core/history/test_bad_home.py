"""A HEADWATER_HOME that cannot be used gives a clear RunStoreError; data is never touched."""

from __future__ import annotations

import sqlite3

import pytest
from headwater.exceptions import RunStoreError
from headwater.history import get_store, reset_store
from headwater.history.sqlite import SQLiteRunStore
from store_helpers import flow_run


def test_file_in_the_way(tmp_path):
    blocker = tmp_path / "home"
    blocker.write_text("keep me")
    with pytest.raises(RunStoreError) as info:
        SQLiteRunStore(blocker)
    assert str(blocker) in str(info.value) and "HEADWATER_HOME" in str(info.value)
    assert blocker.read_text() == "keep me"


def test_path_under_a_regular_file(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("keep me")
    with pytest.raises(RunStoreError) as info:
        SQLiteRunStore(blocker / "sub" / "home")
    assert str(blocker / "sub" / "home") in str(info.value)
    assert "writable directory" in str(info.value)
    assert blocker.read_text() == "keep me"


def test_unwritable_location_even_for_root():
    with pytest.raises(RunStoreError) as info:
        SQLiteRunStore("/proc/headwater-home")
    assert "/proc/headwater-home" in str(info.value)


def test_get_store_raises_for_bad_env(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("HEADWATER_HOME", str(blocker / "home"))
    reset_store()
    with pytest.raises(RunStoreError, match="set HEADWATER_HOME"):
        get_store()


def test_corrupt_database_is_left_untouched(tmp_path):
    db = tmp_path / "headwater.db"
    junk = b"this is not sqlite at all" * 200
    db.write_bytes(junk)
    with pytest.raises(RunStoreError) as info:
        SQLiteRunStore(tmp_path)
    assert str(db) in str(info.value) and "move it aside" in str(info.value)
    assert db.read_bytes() == junk


def test_directory_where_database_should_be(tmp_path):
    (tmp_path / "headwater.db").mkdir()
    with pytest.raises(RunStoreError, match="not a database file"):
        SQLiteRunStore(tmp_path)


def test_locked_database_is_a_clear_error(tmp_path, monkeypatch):
    # a fresh home whose schema cannot be created because another connection
    # holds the write lock for longer than the busy timeout
    import headwater.history.writer as writer

    s = SQLiteRunStore(tmp_path)
    fr = flow_run()
    s.record_flow_run(fr)
    s.close()
    holder = sqlite3.connect(tmp_path / "headwater.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    real_connect = writer.connect

    def quick(path):
        conn = real_connect(path)
        conn.execute("PRAGMA busy_timeout = 50")
        return conn

    monkeypatch.setattr("headwater.history.sqlite.connect", quick)
    monkeypatch.setattr("headwater.history.sqlite.OPEN_PATIENCE", 0.2)
    try:
        with pytest.raises(RunStoreError, match="locked"):
            SQLiteRunStore(tmp_path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    again = SQLiteRunStore(tmp_path)
    try:
        assert again.read_flow_run(fr.id)["id"] == fr.id  # existing data intact
    finally:
        again.close()
