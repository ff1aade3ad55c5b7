"""Shared lookup for the runtime modules: an env override, else a computed value."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any


def lookup(section: str, name: str, getters: dict[str, Callable[[], Any]]) -> Any:
    if name not in getters:
        raise AttributeError(f"headwater.runtime.{section} has no attribute {name!r}")
    override = os.environ.get(f"HEADWATER__RUNTIME__{section.upper()}__{name.upper()}")
    if override is not None:
        try:
            return json.loads(override)
        except ValueError:
            return override
    return getters[name]()
