"""Settings: environment variables named HEADWATER_<NAME>, read when used.

Reading is lazy and cheap (no pydantic) because settings are consulted on the
hot path. `HEADWATER_HOME` (default `~/.headwater`) holds the embedded run
store and, later, keys and profiles.
"""

from __future__ import annotations

import os
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def get(name: str, default: str | None = None) -> str | None:
    """The raw value of HEADWATER_<NAME>, or `default`."""
    return os.environ.get("HEADWATER_" + name.upper(), default)


def get_bool(name: str, default: bool = False) -> bool:
    raw = get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"HEADWATER_{name.upper()}={raw!r} is not a boolean; use true or false")


def get_float(name: str, default: float | None = None) -> float | None:
    raw = get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"HEADWATER_{name.upper()}={raw!r} is not a number") from None


def get_int(name: str, default: int | None = None) -> int | None:
    raw = get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"HEADWATER_{name.upper()}={raw!r} is not an integer") from None


def home() -> Path:
    """HEADWATER_HOME, or ~/.headwater."""
    raw = get("home")
    return Path(raw).expanduser() if raw else Path.home() / ".headwater"
