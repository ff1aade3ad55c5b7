"""Profiles and `headwater config`, as the seed's setup section uses them.

    headwater profile create uvasds
    headwater profile use uvasds
    headwater config set HEADWATER_API_URL=...
    headwater config set HEADWATER_API_KEY=...

Run as real `headwater` processes on the test's HEADWATER_HOME: a profile is
applied when headwater starts, so each command must see what the last wrote.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SENTINEL = "sentinel-API-KEY-4c1f9e"


def headwater(*args: str, env: dict[str, str] | None = None, input: str | None = None):
    return subprocess.run(
        [sys.executable, "-m", "headwater", *args],
        capture_output=True,
        text=True,
        input=input,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def ok(*args: str, **kwargs) -> str:
    done = headwater(*args, **kwargs)
    assert done.returncode == 0, done.stderr
    return done.stdout


def read_setting(name: str, **kwargs) -> str:
    code = f"from headwater import settings; print(settings.raw({name!r}))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **kwargs.get("env", {})},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_seeds_profile_commands(headwater_home: Path) -> None:
    assert ok("profile", "ls").split() == ["*", "default"]
    assert "headwater profile use uvasds" in ok("profile", "create", "uvasds")
    ok("profile", "use", "uvasds")
    ok("config", "set", "HEADWATER_API_URL=http://127.0.0.1:4200/api")
    out = ok("config", "set", f"HEADWATER_API_KEY={SENTINEL}")
    assert SENTINEL not in out and "'********'" in out
    assert ok("profile", "ls").split() == ["default", "*", "uvasds"]
    # a new process records to what the active profile says
    assert read_setting("HEADWATER_API_URL") == "http://127.0.0.1:4200/api"
    assert read_setting("HEADWATER_API_KEY") == SENTINEL
    view = ok("config", "view")
    assert "HEADWATER_API_URL='http://127.0.0.1:4200/api' (from profile)" in view
    assert SENTINEL not in view and "HEADWATER_API_KEY='********' (from profile)" in view
    assert SENTINEL in ok("config", "view", "--show-secrets")
    assert SENTINEL not in ok("profile", "inspect", "uvasds")
    profiles = headwater_home / "profiles.toml"
    assert 'active = "uvasds"' in profiles.read_text()
    assert profiles.stat().st_mode & 0o077 == 0  # it may hold an API key


def test_environment_overrides_the_profile_which_overrides_defaults(
    headwater_home: Path,
) -> None:
    ok("config", "set", "HEADWATER_LOGGING_LEVEL=DEBUG")
    assert read_setting("HEADWATER_LOGGING_LEVEL") == "DEBUG"
    env = {"HEADWATER_LOGGING_LEVEL": "WARNING"}
    assert read_setting("HEADWATER_LOGGING_LEVEL", env=env) == "WARNING"
    assert "HEADWATER_LOGGING_LEVEL='WARNING' (from env)" in ok("config", "view", env=env)
    warned = headwater("config", "set", "HEADWATER_LOGGING_LEVEL=ERROR", env=env)
    assert warned.returncode == 0 and "unset HEADWATER_LOGGING_LEVEL" in warned.stderr
    ok("config", "unset", "HEADWATER_LOGGING_LEVEL")
    assert read_setting("HEADWATER_LOGGING_LEVEL") == "None"
    view = ok("config", "view", "--show-defaults")
    assert "HEADWATER_LOGGING_LEVEL='INFO' (from default)" in view


def test_profile_chosen_per_command_and_by_environment(headwater_home: Path) -> None:
    ok("profile", "create", "team")
    ok("--profile", "team", "config", "set", "HEADWATER_API_URL=http://team:4200/api")
    assert read_setting("HEADWATER_API_URL") == "None"  # "default" is still active
    assert read_setting("HEADWATER_API_URL", env={"HEADWATER_PROFILE": "team"}) == (
        "http://team:4200/api"
    )
    assert "team" in ok("-p", "team", "config", "view")
    missing = headwater("--profile", "nope", "config", "view")
    assert missing.returncode != 0
    assert "No profile named 'nope'" in missing.stderr and "profile create nope" in missing.stderr


def test_prefect_names_are_accepted_and_stored_as_headwater_names(
    headwater_home: Path,
) -> None:
    done = headwater("config", "set", "PREFECT_API_URL=http://127.0.0.1:4200/api")
    assert done.returncode == 0
    assert "stored as HEADWATER_API_URL" in done.stderr
    assert "HEADWATER_API_URL" in (headwater_home / "profiles.toml").read_text()
    # Prefect's variables in the environment stand in for headwater's, with one notice
    code = "from headwater import settings; print(settings.raw('HEADWATER_LOGGING_LEVEL'))"
    adopted = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PREFECT_LOGGING_LEVEL": "ERROR"},
        timeout=120,
    )
    assert adopted.stdout.strip() == "ERROR"
    assert adopted.stderr.count("PREFECT_LOGGING_LEVEL as HEADWATER_LOGGING_LEVEL") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("config", "set", "HEADWATER_API_URLL=x"), "did you mean HEADWATER_API_URL"),
        (("config", "set", "HEADWATER_LOGGING_TO_CONSOLE=maybe"), "is not a boolean"),
        (("config", "set", "HEADWATER_HOME=/elsewhere"), "set it in the environment"),
        (("config", "set", "HEADWATER_API_URL"), "is not KEY=VALUE"),
        (("config", "unset", "HEADWATER_API_URL"), "not set in profile 'default'"),
        (("profile", "use", "nope"), "No profile named 'nope'"),
        (("profile", "create", "default"), "already exists"),
        (("profile", "delete", "default", "--yes"), "is the active profile"),
        (("profile", "rename", "nope", "x"), "No profile named 'nope'"),
    ],
)
def test_bad_input_names_the_thing_and_changes_nothing(
    headwater_home: Path, args: tuple[str, ...], message: str
) -> None:
    ok("config", "set", "HEADWATER_LOGGING_LEVEL=DEBUG")
    before = (headwater_home / "profiles.toml").read_text()
    done = headwater(*args)
    assert done.returncode == 1
    assert message in done.stderr
    assert (headwater_home / "profiles.toml").read_text() == before


def test_rename_and_delete(headwater_home: Path) -> None:
    ok("profile", "create", "a")
    ok("profile", "use", "a")
    ok("profile", "rename", "a", "b")
    assert ok("profile", "ls").split() == ["*", "b", "default"]
    ok("profile", "create", "c", "--from", "b")
    refused = headwater("profile", "delete", "c", input="n\n")
    assert refused.returncode == 1 and "c" in ok("profile", "ls").split()
    ok("profile", "delete", "c", input="y\n")
    assert ok("profile", "ls").split() == ["*", "b", "default"]


def test_a_broken_profiles_file_says_so_and_runs_on_defaults(headwater_home: Path) -> None:
    (headwater_home / "profiles.toml").write_text("active = [unclosed\n")
    done = subprocess.run(
        [sys.executable, "-c", "import headwater.settings"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0
    assert "profiles.toml is not valid TOML" in done.stderr
    listed = headwater("profile", "ls")
    assert listed.returncode == 1 and "move it aside" in listed.stderr


def test_validate_renames_prefect_keys_and_reports_bad_values(headwater_home: Path) -> None:
    (headwater_home / "profiles.toml").write_text(
        'active = "default"\n[profiles.default]\nPREFECT_API_URL = "http://x/api"\n'
    )
    assert "PREFECT_API_URL -> HEADWATER_API_URL" in ok("config", "validate")
    assert "HEADWATER_API_URL" in (headwater_home / "profiles.toml").read_text()
    (headwater_home / "profiles.toml").write_text(
        'active = "default"\n[profiles.default]\nHEADWATER_TASKS_REFRESH_CACHE = "sometimes"\n'
    )
    bad = headwater("config", "validate")
    assert bad.returncode == 1 and "is not a boolean" in bad.stderr


def test_switching_home_applies_that_homes_profile(tmp_path: Path) -> None:
    from headwater import settings
    from headwater.profiles import ProfilesFile, write_profiles

    other = tmp_path / "other-home"
    write_profiles(
        ProfilesFile("x", {"default": {}, "x": {"HEADWATER_API_URL": "http://o"}}), other
    )
    assert settings.raw("HEADWATER_API_URL") is None
    with settings.temporary_settings(updates={settings.HEADWATER_HOME: other}):
        assert settings.raw("HEADWATER_API_URL") == "http://o"
        assert settings.setting_source("HEADWATER_API_URL") == "profile"
    assert settings.raw("HEADWATER_API_URL") is None
