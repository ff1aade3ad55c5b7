"""Profiles: named sets of settings in `HEADWATER_HOME/profiles.toml`, as Prefect's.

    active = "team"

    [profiles.default]

    [profiles.team]
    HEADWATER_API_URL = "https://headwater.example.org/api"
    HEADWATER_API_KEY = "..."

The active profile is `HEADWATER_PROFILE` (environment, or `headwater
--profile NAME`), else the file's `active`, else "default". Its values apply
where the environment sets nothing: the environment overrides the profile,
which overrides defaults (`headwater.settings` applies them when it is first
imported). Keys are headwater's setting names; Prefect's `PREFECT_*` names
are accepted and stored under the headwater name. The file is written
atomically, readable by its owner only (it may hold an API key).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_PROFILE",
    "ProfileError",
    "ProfilesFile",
    "apply_profile",
    "canonical_name",
    "profiles_path",
    "read_profiles",
    "reapply_profile",
    "setting_source",
    "write_profiles",
]

PROFILES_FILE = "profiles.toml"
DEFAULT_PROFILE = "default"
#: settings that choose where profiles live or which one is active: never inside one
_NOT_IN_A_PROFILE = {"HEADWATER_HOME", "HEADWATER_PROFILE"}


#: values the active profile put into the environment: name -> value
_from_profile: dict[str, str] = {}
#: the active profile's name, once applied
active_profile: str | None = None


class ProfileError(ValueError):
    """A profile or setting name that does not exist, or a profiles file that cannot be used."""


@dataclass
class ProfilesFile:
    """What profiles.toml holds: the active profile's name and every profile's settings."""

    active: str = DEFAULT_PROFILE
    profiles: dict[str, dict[str, str]] = field(default_factory=lambda: {DEFAULT_PROFILE: {}})

    def get(self, name: str) -> dict[str, str]:
        """The settings of profile `name`; ProfileError naming the known ones if missing."""
        if name not in self.profiles:
            known = ", ".join(sorted(self.profiles)) or "none"
            raise ProfileError(
                f"No profile named {name!r} (profiles: {known}); create it with "
                f"`headwater profile create {name}`"
            )
        return self.profiles[name]


def profiles_path(home: Path | None = None) -> Path:
    from headwater import settings

    return (home or settings.home()) / PROFILES_FILE


def read_profiles(home: Path | None = None) -> ProfilesFile:
    """The profiles in `home` (default HEADWATER_HOME); a lone "default" if there is no file."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - the oldest-Python session runs it
        import tomli as tomllib

    path = profiles_path(home)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return ProfilesFile()
    except OSError as exc:
        raise ProfileError(f"Cannot read {path}: {exc.strerror or exc}") from None
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(
            f"{path} is not valid TOML ({exc}); fix it by hand or move it aside "
            "(headwater then starts from an empty default profile)"
        ) from None
    raw_profiles = data.get("profiles", {})
    if not isinstance(raw_profiles, dict):
        raise ProfileError(f"{path}: [profiles] must be a table of profile tables")
    profiles = {
        str(name): {str(k): _as_text(v) for k, v in values.items()}
        for name, values in raw_profiles.items()
        if isinstance(values, dict)
    }
    profiles.setdefault(DEFAULT_PROFILE, {})
    return ProfilesFile(active=str(data.get("active", DEFAULT_PROFILE)), profiles=profiles)


def write_profiles(profiles: ProfilesFile, home: Path | None = None) -> Path:
    """Replace profiles.toml in one step (never half written), mode 0600."""
    import tempfile

    import tomli_w

    path = profiles_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = tomli_w.dumps({"active": profiles.active, "profiles": profiles.profiles})
    handle, temporary = tempfile.mkstemp(prefix=".profiles-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def canonical_name(key: str) -> tuple[str, str | None]:
    """headwater's name for setting `key`, and Prefect's name when `key` was one.

    Accepts `HEADWATER_API_URL`, `api_url`, or Prefect's `PREFECT_API_URL`.
    ProfileError with the closest names for anything else.
    """
    import difflib

    from headwater import settings

    text = key.strip()
    upper = text.upper().replace(".", "_").replace("-", "_")
    if upper in settings.PREFECT_ALIASES:
        return settings.PREFECT_ALIASES[upper], text
    for candidate in (upper, "HEADWATER_" + upper):
        if candidate in settings.SETTINGS and candidate not in _NOT_IN_A_PROFILE:
            return candidate, None
    if upper in _NOT_IN_A_PROFILE or "HEADWATER_" + upper in _NOT_IN_A_PROFILE:
        raise ProfileError(
            f"{text} cannot be set in a profile: it decides where profiles live or which one "
            "is active; set it in the environment instead"
        )
    names = [n for n in settings.SETTINGS if n not in _NOT_IN_A_PROFILE]
    close = difflib.get_close_matches(upper, names + list(settings.PREFECT_ALIASES), n=3)
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    raise ProfileError(
        f"Unknown setting {text!r}: {hint}`headwater config view --show-defaults` lists them all"
    )


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- the active profile of this process -----------------------------------------------
def apply_profile(name: str | None = None) -> str:
    """Make profile `name` (default: HEADWATER_PROFILE, else the file's `active`) active.

    Its values go into the process environment where nothing is set, so the
    environment overrides the profile and subprocesses inherit both; values a
    previous profile put there are taken back first. Returns the profile's name.
    Raises `ProfileError` for a missing profile or a broken file.
    """
    global active_profile
    from headwater import settings

    requested = name or settings.raw("HEADWATER_PROFILE")
    exists = profiles_path().exists()
    if not exists and not _from_profile and requested in (None, "", DEFAULT_PROFILE):
        active_profile = DEFAULT_PROFILE  # the common case: nothing to read
        return active_profile
    found = read_profiles() if exists else ProfilesFile()
    chosen = requested or found.active or DEFAULT_PROFILE
    values = found.get(chosen)
    _take_back()
    for key, value in values.items():
        env, _ = canonical_name(key)
        if os.environ.get(env) is None:
            os.environ[env] = value
            _from_profile[env] = value
    active_profile = chosen
    return chosen


def setting_source(name: str) -> str:
    """Where setting `name` (a full HEADWATER_ name) comes from: "env", "profile" or "default"."""
    value = os.environ.get(name)
    if value is None:
        return "default"
    return "profile" if _from_profile.get(name) == value else "env"


def reapply_profile() -> None:
    """HEADWATER_HOME changed: apply that home's active profile (none if it is broken)."""
    try:
        apply_profile()
    except ValueError:
        _take_back()


def _take_back() -> None:
    """Remove from the environment the values the last profile put there, unless changed."""
    for env, value in list(_from_profile.items()):
        if os.environ.get(env) == value:
            del os.environ[env]
    _from_profile.clear()
