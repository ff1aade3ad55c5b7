"""Shared lookup for the runtime modules: an env override, else a computed value."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from headwater import settings


def lookup(section: str, name: str, getters: dict[str, Callable[[], Any]]) -> Any:
    if name not in getters:
        raise AttributeError(f"headwater.runtime.{section} has no attribute {name!r}")
    override = settings.runtime_override(section, name)
    if override is not None:
        try:
            return json.loads(override)
        except ValueError:
            return override
    return getters[name]()
