"""Settings: environment variables named HEADWATER_<NAME>, read when used.

Everything in headwater reads its settings through this module (the CLI entry
point aside), so one place knows every name. Reading is lazy and cheap (no
pydantic) because settings are consulted on the hot path. `HEADWATER_HOME`
(default `~/.headwater`) holds the embedded run store, block documents and keys.

Prefect's setting objects work as they do there, renamed or not:

    from headwater.settings import PREFECT_HOME, temporary_settings
    with temporary_settings(updates={PREFECT_HOME: "/tmp/scratch"}):
        PREFECT_HOME.value()  # PosixPath('/tmp/scratch')

`temporary_settings` changes the process environment (headwater's settings are
environment variables), so it holds for every thread and for subprocesses
started inside it; it restores the previous values when the block ends.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_environ = os.environ

# `os.environ.get` of an unset name costs about a microsecond (a KeyError raised
# and caught inside Mapping.get); settings are mostly unset and read per task
# call, so read the mapping os.environ keeps underneath it (one dict lookup),
# with keys encoded once. Writes through os.environ (monkeypatch.setenv too)
# update that mapping. Other Pythons without it fall back to os.environ.get.
_data: dict[Any, Any] | None = getattr(_environ, "_data", None)
if not isinstance(_data, dict) or not callable(getattr(_environ, "encodekey", None)):
    _data = None
_keys: dict[str, Any] = {}


def env_name(name: str) -> str:
    """`"logging_level"` -> `"HEADWATER_LOGGING_LEVEL"`."""
    return "HEADWATER_" + name.upper()


def _key(env: str) -> Any:
    """The key under which `env` is found in `_data` (memoised)."""
    key = _keys.get(env)
    if key is None:
        key = _keys[env] = _environ.encodekey(env) if _data is not None else env
    return key


def raw(env: str) -> str | None:
    """The value of environment variable `env` (a full name), or None."""
    if _data is None:
        return _environ.get(env)
    value = _data.get(_keys.get(env) or _key(env))
    return None if value is None else _environ.decodevalue(value)


def get(name: str, default: str | None = None) -> str | None:
    """The raw value of HEADWATER_<NAME>, or `default`."""
    value = raw(_names.get(name) or _name(name))
    return default if value is None else value


_names: dict[str, str] = {}


def _name(name: str) -> str:
    full = _names[name] = env_name(name)
    return full


def get_bool(name: str, default: bool = False) -> bool:
    text = get(name)
    if text is None:
        return default
    return _parse_bool(env_name(name), text)


def get_float(name: str, default: float | None = None) -> float | None:
    text = get(name)
    if text is None or text == "":
        return default
    return _parse_float(env_name(name), text)


def get_int(name: str, default: int | None = None) -> int | None:
    text = get(name)
    if text is None or text == "":
        return default
    return _parse_int(env_name(name), text)


def home() -> Path:
    """HEADWATER_HOME, or ~/.headwater."""
    text = get("home")
    return Path(text).expanduser() if text else Path.home() / ".headwater"


def watch(*names: str) -> Callable[[], tuple[Any, ...]]:
    """A function returning the raw values of these settings, for memo keys on hot paths.

    Callers keep a result computed from settings and recompute it when the
    returned tuple changes; the names are resolved once, here, not per call.
    """
    envs = tuple(env_name(n) for n in names)
    if _data is None:
        read_env = _environ.get
        return lambda: tuple(map(read_env, envs))
    keys = tuple(_key(e) for e in envs)
    read_data = _data.get
    return lambda: tuple(map(read_data, keys))


def snapshot() -> dict[str, str]:
    """Every HEADWATER_* variable now set, with HEADWATER_HOME resolved (for remote workers)."""
    found = {k: v for k, v in _environ.items() if k.startswith("HEADWATER_")}
    found["HEADWATER_HOME"] = str(home())
    return found


def adopt(values: Mapping[str, str]) -> None:
    """Take another process's `snapshot()` as this process's settings (worker side)."""
    for name, value in values.items():
        if _environ.get(name) != value:
            _environ[name] = value


def runtime_override(section: str, name: str) -> str | None:
    """`HEADWATER__RUNTIME__<SECTION>__<NAME>`: a fixed value for `headwater.runtime` (tests)."""
    return raw(f"HEADWATER__RUNTIME__{section.upper()}__{name.upper()}")


def _parse_bool(env: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{env}={raw!r} is not a boolean; use true or false")


def _parse_float(env: str, raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{env}={raw!r} is not a number") from None


def _parse_int(env: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{env}={raw!r} is not an integer") from None


def _parse_str(env: str, raw: str) -> str:
    return raw


def _parse_path(env: str, raw: str) -> Path:
    return Path(raw).expanduser()


class Setting:
    """One setting, as Prefect's `PREFECT_*` objects: `.value()`, `.name`, `.default()`."""

    __slots__ = ("_default", "_parse", "is_secret", "name")

    def __init__(
        self,
        name: str,
        parse: Callable[[str, str], Any] = _parse_str,
        default: Any = None,
        is_secret: bool = False,
    ) -> None:
        self.name = name
        self._parse = parse
        self._default = default
        self.is_secret = is_secret

    def default(self) -> Any:
        value = self._default
        return value() if callable(value) else value

    def parse(self, text: str) -> Any:
        """`text` as this setting's value; ValueError naming the setting if it is not one."""
        return self._parse(self.name, text)

    def value(self) -> Any:
        found = raw(self.name)
        if found is None or (found == "" and self._parse is not _parse_str):
            return self.default()
        return self._parse(self.name, found)

    def __bool__(self) -> bool:
        return bool(self.value())

    def __repr__(self) -> str:
        return f"<{self.name}>"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Setting):
            return self.name == other.name
        return bool(self.value() == other)

    def __hash__(self) -> int:
        return hash((Setting, self.name))


def _default_storage_path() -> Path:
    return home() / "storage"


HEADWATER_HOME = Setting("HEADWATER_HOME", _parse_path, lambda: Path.home() / ".headwater")
HEADWATER_API_URL = Setting("HEADWATER_API_URL")
HEADWATER_UI_URL = Setting("HEADWATER_UI_URL")  # default: HEADWATER_API_URL without /api
HEADWATER_API_KEY = Setting("HEADWATER_API_KEY", is_secret=True)
#: the key a headwater server requires of every API request (headwater-server)
HEADWATER_SERVER_API_KEY = Setting("HEADWATER_SERVER_API_KEY", is_secret=True)
#: seconds a server waits for a silent client before marking its unfinished runs Crashed
HEADWATER_SERVER_CLIENT_TIMEOUT = Setting("HEADWATER_SERVER_CLIENT_TIMEOUT", _parse_float, 300.0)
#: the largest batch body (bytes) a server takes at POST /api/records
HEADWATER_SERVER_MAX_BATCH_BYTES = Setting(
    "HEADWATER_SERVER_MAX_BATCH_BYTES", _parse_int, 32_000_000
)
HEADWATER_DATABASE_URL = Setting("HEADWATER_DATABASE_URL", is_secret=True)
HEADWATER_ENCRYPTION_KEY = Setting("HEADWATER_ENCRYPTION_KEY", is_secret=True)
HEADWATER_LOGGING_LEVEL = Setting("HEADWATER_LOGGING_LEVEL", default="INFO")
HEADWATER_LOGGING_TO_CONSOLE = Setting("HEADWATER_LOGGING_TO_CONSOLE", _parse_bool, True)
HEADWATER_LOGGING_LOG_PRINTS = Setting("HEADWATER_LOGGING_LOG_PRINTS", _parse_bool, False)
HEADWATER_RESULTS_PERSIST_BY_DEFAULT = Setting(
    "HEADWATER_RESULTS_PERSIST_BY_DEFAULT", _parse_bool, False
)
HEADWATER_RESULTS_DEFAULT_SERIALIZER = Setting(
    "HEADWATER_RESULTS_DEFAULT_SERIALIZER", default="pickle"
)
HEADWATER_RESULTS_LOCAL_STORAGE_PATH = Setting(
    "HEADWATER_RESULTS_LOCAL_STORAGE_PATH", _parse_path, _default_storage_path
)
HEADWATER_TASKS_REFRESH_CACHE = Setting("HEADWATER_TASKS_REFRESH_CACHE", _parse_bool, False)
HEADWATER_TASKS_DEFAULT_NO_CACHE = Setting("HEADWATER_TASKS_DEFAULT_NO_CACHE", _parse_bool, False)
HEADWATER_TASKS_DISABLE_CACHING = Setting("HEADWATER_TASKS_DISABLE_CACHING", _parse_bool, False)
HEADWATER_TASKS_RUNNER_THREAD_POOL_MAX_WORKERS = Setting(
    "HEADWATER_TASKS_RUNNER_THREAD_POOL_MAX_WORKERS", _parse_int
)
HEADWATER_TASKS_RUNNER_PROCESS_POOL_MAX_WORKERS = Setting(
    "HEADWATER_TASKS_RUNNER_PROCESS_POOL_MAX_WORKERS", _parse_int
)
HEADWATER_DISABLED_PLUGINS = Setting("HEADWATER_DISABLED_PLUGINS", default="")
HEADWATER_PROFILE = Setting("HEADWATER_PROFILE")

SETTINGS: dict[str, Setting] = {
    name: value for name, value in globals().items() if isinstance(value, Setting)
}

#: Prefect's names for the same settings (both spellings where Prefect has two)
_HEADWATER_ONLY = {
    "DATABASE_URL",
    "DISABLED_PLUGINS",
    "ENCRYPTION_KEY",
    "LOGGING_TO_CONSOLE",
    "PROFILE",
    "SERVER_API_KEY",
    "SERVER_CLIENT_TIMEOUT",
    "SERVER_MAX_BATCH_BYTES",
}
PREFECT_ALIASES: dict[str, str] = {
    **{
        "PREFECT_" + n.removeprefix("HEADWATER_"): n
        for n in SETTINGS
        if n.removeprefix("HEADWATER_") not in _HEADWATER_ONLY
    },
    "PREFECT_LOCAL_STORAGE_PATH": "HEADWATER_RESULTS_LOCAL_STORAGE_PATH",
    "PREFECT_TASK_RUNNER_THREAD_POOL_MAX_WORKERS": "HEADWATER_TASKS_RUNNER_THREAD_POOL_MAX_WORKERS",
    "PREFECT_API_DATABASE_CONNECTION_URL": "HEADWATER_DATABASE_URL",
    "PREFECT_SERVER_DATABASE_CONNECTION_URL": "HEADWATER_DATABASE_URL",
}


def __getattr__(name: str) -> Setting:
    """`PREFECT_HOME` and the other Prefect names resolve to headwater's setting."""
    target = PREFECT_ALIASES.get(name)
    if target is not None:
        return SETTINGS[target]
    raise AttributeError(
        f"{name} is not a headwater setting; the settings are {', '.join(sorted(SETTINGS))}"
    )


#: called with no arguments after HEADWATER_HOME changes (the run store reopens there)
home_listeners: list[Callable[[], None]] = []


# --- profiles: headwater.profiles applies the active one to the environment ------------
def apply_profile(name: str | None = None) -> str:
    """Make profile `name` active (see `headwater.profiles.apply_profile`); its name."""
    from headwater import profiles

    return profiles.apply_profile(name)


def setting_source(name: str) -> str:
    """Where setting `name` (a full HEADWATER_ name) comes from: "env", "profile" or "default"."""
    from headwater import profiles

    return profiles.setting_source(name)


def _adopt_prefect_environment() -> None:
    """Prefect's PREFECT_* variables stand in for unset HEADWATER_ ones, with one notice."""
    adopted = []
    for prefect_name, name in PREFECT_ALIASES.items():
        value = _environ.get(prefect_name)
        if value is not None and _environ.get(name) is None and name != "HEADWATER_HOME":
            _environ[name] = value
            adopted.append(f"{prefect_name} as {name}")
    if adopted:
        import logging

        logging.getLogger("headwater.settings").warning(
            "headwater reads Prefect's %s; set the HEADWATER_ names to silence this notice",
            ", ".join(adopted),
        )


def _start() -> None:
    _adopt_prefect_environment()
    try:
        apply_profile()
    except ValueError as exc:  # a broken file or a missing profile: defaults, and say why
        import logging

        logging.getLogger("headwater.settings").warning(
            "headwater settings: %s (running with environment and defaults only)", exc
        )


def _setting(key: Setting | str) -> Setting:
    if isinstance(key, Setting):
        return key
    if isinstance(key, str):
        name = key.upper().replace(".", "_")
        for candidate in (name, "HEADWATER_" + name, PREFECT_ALIASES.get(name, "")):
            if candidate in SETTINGS:
                return SETTINGS[candidate]
    raise KeyError(
        f"{key!r} is not a headwater setting; use a setting object such as "
        f"headwater.settings.HEADWATER_HOME or one of {', '.join(sorted(SETTINGS))}"
    )


def as_text(value: Any) -> str:
    """`value` as it would be written in the environment or a profile (true, not True)."""
    return _as_env(value)


def _as_env(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return os.fspath(value) if isinstance(value, os.PathLike) else str(value)


@contextlib.contextmanager
def temporary_settings(
    updates: Mapping[Setting | str, Any] | None = None,
    set_defaults: Mapping[Setting | str, Any] | None = None,
    restore_defaults: Iterable[Setting | str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Change settings for the duration of the block, as Prefect's `temporary_settings`.

    `updates` set values (None unsets), `set_defaults` set values only where
    none is set, `restore_defaults` unset. Yields the changed settings' values.
    """
    changes: dict[str, str | None] = {}
    for key in restore_defaults or ():
        changes[_setting(key).name] = None
    for key, value in (set_defaults or {}).items():
        name = _setting(key).name
        if _environ.get(name) is None:
            changes[name] = None if value is None else _as_env(value)
    for key, value in (updates or {}).items():
        changes[_setting(key).name] = None if value is None else _as_env(value)
    previous = {name: _environ.get(name) for name in changes}
    _apply(changes)
    try:
        yield {name: SETTINGS[name].value() for name in changes}
    finally:
        _apply(previous)


def _apply(values: Mapping[str, str | None]) -> None:
    home_before = _environ.get("HEADWATER_HOME")
    for name, value in values.items():
        if value is None:
            _environ.pop(name, None)
        else:
            _environ[name] = value
    if _environ.get("HEADWATER_HOME") != home_before:
        _reapply_profile()  # the new home's profiles.toml
        for listener in list(home_listeners):
            listener()


def _reapply_profile() -> None:
    from headwater import profiles

    profiles.reapply_profile()


_start()
