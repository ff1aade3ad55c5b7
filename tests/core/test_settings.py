"""Settings: read only through headwater.settings; Prefect's setting objects and
temporary_settings work over them."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest
from headwater import flow, settings
from headwater.history import get_store

CORE = Path(settings.__file__).parent
#: the only modules allowed to touch the process environment directly
# profiles.py puts the active profile's values into the environment settings.py reads
ALLOWED = {"settings.py", "profiles.py", "cli/main.py"}


def _environment_reads(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ("environ", "getenv", "putenv", "environb")
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        ):
            found.append(f"{path.relative_to(CORE)}:{node.lineno}")
        if isinstance(node, ast.ImportFrom) and node.module == "os":
            names = {a.name for a in node.names}
            if names & {"environ", "getenv", "putenv"}:
                found.append(f"{path.relative_to(CORE)}:{node.lineno}")
    return found


def test_only_settings_reads_the_environment() -> None:
    offenders = [
        hit
        for path in sorted(CORE.rglob("*.py"))
        if path.relative_to(CORE).as_posix() not in ALLOWED
        for hit in _environment_reads(path)
    ]
    assert not offenders, (
        f"read settings through headwater.settings (get, get_bool, watch, snapshot, adopt), "
        f"not os.environ: {offenders}"
    )


def test_setting_objects_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from headwater.settings import (
        HEADWATER_RESULTS_PERSIST_BY_DEFAULT,
        PREFECT_API_URL,
        PREFECT_HOME,
        PREFECT_LOCAL_STORAGE_PATH,
        PREFECT_RESULTS_PERSIST_BY_DEFAULT,
    )

    assert PREFECT_HOME.value() == settings.home()
    assert PREFECT_LOCAL_STORAGE_PATH.value() == settings.home() / "storage"
    assert PREFECT_API_URL.value() is None and PREFECT_API_URL.name == "HEADWATER_API_URL"
    assert PREFECT_RESULTS_PERSIST_BY_DEFAULT is HEADWATER_RESULTS_PERSIST_BY_DEFAULT
    monkeypatch.setenv("HEADWATER_RESULTS_PERSIST_BY_DEFAULT", "true")
    assert PREFECT_RESULTS_PERSIST_BY_DEFAULT.value() is True
    monkeypatch.setenv("HEADWATER_RESULTS_PERSIST_BY_DEFAULT", "maybe")
    with pytest.raises(ValueError, match="HEADWATER_RESULTS_PERSIST_BY_DEFAULT='maybe'"):
        PREFECT_RESULTS_PERSIST_BY_DEFAULT.value()


def test_unknown_setting_names_the_known_ones() -> None:
    with pytest.raises(ImportError):
        from headwater.settings import PREFECT_NO_SUCH_THING  # noqa: F401
    with pytest.raises(KeyError, match="HEADWATER_HOME"):
        with settings.temporary_settings(updates={"no.such.thing": 1}):
            pass


def test_temporary_settings_set_and_restore() -> None:
    from headwater.settings import PREFECT_API_KEY, PREFECT_API_URL, PREFECT_LOGGING_LEVEL

    os.environ.pop("HEADWATER_API_KEY", None)
    with settings.temporary_settings(
        updates={PREFECT_API_URL: "http://127.0.0.1:4200/api", "logging.level": "DEBUG"},
        set_defaults={PREFECT_API_KEY: "k"},
    ) as changed:
        assert PREFECT_API_URL.value() == "http://127.0.0.1:4200/api"
        assert PREFECT_LOGGING_LEVEL.value() == "DEBUG" and changed["HEADWATER_LOGGING_LEVEL"]
        assert PREFECT_API_KEY.value() == "k"
        with settings.temporary_settings(restore_defaults=[PREFECT_API_URL]):
            assert PREFECT_API_URL.value() is None
        assert PREFECT_API_URL.value() == "http://127.0.0.1:4200/api"
    assert PREFECT_API_URL.value() is None and PREFECT_API_KEY.value() is None
    assert PREFECT_LOGGING_LEVEL.value() == "INFO"
    assert "k" not in repr(PREFECT_API_KEY) and PREFECT_API_KEY.is_secret


def test_temporary_home_moves_the_run_store(tmp_path: Path) -> None:
    from headwater.settings import PREFECT_HOME

    @flow
    def hello() -> int:
        return 1

    outer = settings.home()
    elsewhere = tmp_path / "elsewhere"
    with settings.temporary_settings(updates={PREFECT_HOME: elsewhere}):
        hello()
        store = get_store()
        store.flush()
        assert len(store.read_flow_runs()) == 1
        assert (elsewhere / "headwater.db").exists()
    assert settings.home() == outer
    store = get_store()
    store.flush()
    assert store.read_flow_runs() == []


def test_watch_sees_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    current = settings.watch("tasks_refresh_cache", "home")
    before = current()
    monkeypatch.setenv("HEADWATER_TASKS_REFRESH_CACHE", "1")
    assert current() != before
    monkeypatch.delenv("HEADWATER_TASKS_REFRESH_CACHE")
    assert current() == before
